package pinn.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pinn.autodiff.Workspace;
import pinn.kernels.VectorBackend;
import pinn.runtime.PricingNetwork;
import pinn.runtime.accuracy.AccuracyGrid;
import pinn.runtime.accuracy.AccuracyReport;
import pinn.runtime.model.TrainingMetadata;
import pinn.runtime.train.Trainer;
import pinn.runtime.train.TrainingConfig;

/** {@code ./pinn train}: trains a pricing network from the PDE alone and writes a model file. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the Black-Scholes PINN from the PDE alone (Adam, then L-BFGS) and write a model file.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--steps", description = "Adam steps (default: ${DEFAULT-VALUE}, the shipped model's).", defaultValue = "6000")
    int steps;

    @Option(names = "--lbfgs", description = "L-BFGS iterations after Adam (default: ${DEFAULT-VALUE}, the shipped model's).", defaultValue = "8000")
    int lbfgsIterations;

    @Option(names = "--points", description = "Collocation points per step (default: ${DEFAULT-VALUE}).", defaultValue = "4096")
    int points;

    @Option(names = "--hidden", description = "Hidden layers as WIDTHxDEPTH (default: ${DEFAULT-VALUE}).", defaultValue = "32x4")
    String hidden;

    @Option(names = "--seed", description = "Seed for weights and collocation (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    long seed;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--lr", description = "First Adam learning rate (default: ${DEFAULT-VALUE}).", defaultValue = "2e-3")
    double learningRate;

    @Option(names = "--checkpoint-every", description = "Adam steps between checkpoints (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int checkpointEvery;

    @Option(names = "--out", description = "Model file to write (default: ${DEFAULT-VALUE}).", defaultValue = "model.pinn")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int[] hiddenLayers = parseHidden(hidden);
        TrainingConfig config = TrainingConfig.defaults(steps, points, hiddenLayers, seed)
                .withLearningRate(learningRate).withLbfgsIterations(lbfgsIterations);
        Path checkpoint = out.resolveSibling(out.getFileName() + ".checkpoint");
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        // Ctrl-C: ask the trainer to stop, and keep the JVM alive until it has saved a checkpoint.
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "pinn-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try (VectorBackend backend = threads == null ? new VectorBackend() : new VectorBackend(threads);
             PricingNetwork network = PricingNetwork.initialise(backend, config.domain(), hiddenLayers, seed)) {
            Trainer trainer = new Trainer(network, config);
            Trainer.Result result;
            try (TrainingProgress progress = new TrainingProgress()) {
                long[] lastCheckpoint = {0};
                result = trainer.train((phase, step, phaseSteps, losses) -> {
                    progress.afterStep(phase, step, phaseSteps, losses);
                    if (phase.equals("adam") && step - lastCheckpoint[0] >= checkpointEvery) {
                        lastCheckpoint[0] = step;
                        saveCheckpoint(network, checkpoint, step, losses);
                    }
                }, stop::get);
            }
            Trainer.Losses losses = result.finalLosses();
            save(network, result.stopped() ? checkpoint : out, result.adamSteps() + result.lbfgsIterations(), losses);
            if (result.stopped()) {
                System.out.printf("stopped after %d Adam steps: checkpoint saved to %s%n", result.adamSteps(), checkpoint);
                return 130;
            }
            Files.deleteIfExists(checkpoint);
            AccuracyReport accuracy;
            try (Workspace workspace = new Workspace(backend)) {
                accuracy = AccuracyReport.evaluate(points -> network.priceCalls(points, workspace), AccuracyGrid.over(network.domain()));
            }
            System.out.print(accuracy.format());
            System.out.printf("trained %d Adam steps (%.2f ms/step) + %d L-BFGS iterations: loss %.3e (pde %.3e, boundary %.3e); model written to %s | %s%n",
                    result.adamSteps(), result.meanAdamStepMillis(), result.lbfgsIterations(), losses.total(), losses.pde(), losses.boundary(),
                    out, accuracy.summaryLine());
            return 0;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already exiting (Ctrl-C): the hook is running and will return now.
            }
        }
    }

    private void saveCheckpoint(PricingNetwork network, Path path, long steps, Trainer.Losses losses) {
        try {
            save(network, path, steps, losses);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    private void save(PricingNetwork network, Path path, long steps, Trainer.Losses losses) throws java.io.IOException {
        Map<String, Double> finalLosses = new LinkedHashMap<>();
        finalLosses.put("pde", losses.pde());
        finalLosses.put("boundary", losses.boundary());
        String commandLine = "./pinn " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        network.toModelFile(new TrainingMetadata(commandLine, seed, steps, finalLosses, Instant.now())).write(path);
    }

    /** "64x4" → {64, 64, 64, 64}. */
    static int[] parseHidden(String spec) {
        String[] parts = spec.toLowerCase().split("x");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            int width = Integer.parseInt(parts[0].trim()), depth = Integer.parseInt(parts[1].trim());
            if (width < 1 || depth < 1 || width > 4096 || depth > 64) throw new NumberFormatException();
            int[] layers = new int[depth];
            java.util.Arrays.fill(layers, width);
            return layers;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--hidden: expected WIDTHxDEPTH such as 64x4 (width 1..4096, depth 1..64), got '" + spec + "'");
        }
    }
}
