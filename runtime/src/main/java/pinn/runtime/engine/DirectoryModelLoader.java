package pinn.runtime.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import pinn.kernels.VectorBackend;
import pinn.runtime.PricingNetwork;
import pinn.runtime.model.ModelFile;
import pinn.runtime.model.TrainingMetadata;
import pinn.runtime.train.Trainer;
import pinn.runtime.train.TrainingConfig;

/**
 * Models kept in a directory under their {@link ModelSpec#fileName()}: a spec whose file is there
 * is read; one whose file is missing is, if allowed, trained with the project's default settings
 * on the spec's domain, hidden layers, Adam steps and seed, and written there for next time.
 * Training takes minutes; the cache runs it in the background.
 */
final class DirectoryModelLoader implements ModelLoader {

    /** Collocation points of a training run. */
    static final int TRAINING_POINTS = 4096;

    private final Path directory;
    private final boolean trainWhenMissing;
    private final DoubleConsumer trainingSeconds;

    /** @param trainingSeconds hears each training's wall time, in seconds (for the metrics) */
    DirectoryModelLoader(Path directory, boolean trainWhenMissing, DoubleConsumer trainingSeconds) {
        this.directory = directory;
        this.trainWhenMissing = trainWhenMissing;
        this.trainingSeconds = trainingSeconds;
    }

    @Override
    public ModelFile load(ModelSpec spec) throws IOException {
        Path file = directory.resolve(spec.fileName());
        if (Files.exists(file)) {
            ModelFile model = ModelFile.read(file);
            List<Integer> hidden = model.architecture().hiddenWidths();
            if (!hidden.equals(spec.hidden())) {
                throw new IOException("the model " + file + " has hidden layers " + hidden + " where its name says " + spec.hidden());
            }
            return model;
        }
        if (!trainWhenMissing) throw new IOException("no model " + file + " and training is off");
        ModelFile trained = train(spec);
        Files.createDirectories(directory);
        Path partial = directory.resolve(spec.fileName() + ".partial");
        trained.write(partial);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return trained;
    }

    private ModelFile train(ModelSpec spec) {
        int[] hidden = spec.hidden().stream().mapToInt(Integer::intValue).toArray();
        TrainingConfig defaults = TrainingConfig.defaults(spec.adamSteps(), TRAINING_POINTS, hidden, spec.seed());
        TrainingConfig config = new TrainingConfig(hidden, defaults.points(), defaults.boundaryPoints(), defaults.adamSteps(),
                defaults.learningRate(), defaults.finalLearningRate(), defaults.resampleEvery(), defaults.lbfgsIterations(),
                spec.seed(), spec.domain());
        long start = System.nanoTime();
        try (VectorBackend backend = new VectorBackend(1);
             PricingNetwork network = PricingNetwork.initialise(backend, spec.domain(), hidden, spec.seed())) {
            Trainer.Result result = new Trainer(network, config).train((phase, step, steps, losses) -> { }, () -> Thread.currentThread().isInterrupted());
            if (result.stopped()) throw new IllegalStateException("training of " + spec.fileName() + " was interrupted");
            Map<String, Double> losses = new LinkedHashMap<>();
            losses.put("pde", result.finalLosses().pde());
            losses.put("boundary", result.finalLosses().boundary());
            String record = "model cache: " + spec.fileName() + " (default training settings, " + TRAINING_POINTS + " points)";
            return network.toModelFile(new TrainingMetadata(record, spec.seed(), result.adamSteps() + result.lbfgsIterations(), losses, Instant.now()));
        } finally {
            trainingSeconds.accept((System.nanoTime() - start) / 1e9);
        }
    }
}
