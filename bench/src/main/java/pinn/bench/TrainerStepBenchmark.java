package pinn.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import pinn.autodiff.Workspace;
import pinn.kernels.VectorBackend;
import pinn.runtime.Adam;
import pinn.runtime.PricingNetwork;
import pinn.runtime.model.ModelFile;
import pinn.runtime.train.Trainer;
import pinn.runtime.train.TrainingConfig;

/**
 * The trainer's own Adam step, {@link Trainer#adamStep}: exactly what {@code ./pinn train} runs
 * for each step of its first phase. A trained model's network ({@code model}, see
 * {@link BenchModels}: the 2 → 64×4 → 1 network of issue 3's target, or the shipped 2 → 32×4 → 1
 * one), the trainer's Sobol collocation ({@code points} interior points and
 * points/16 boundary points, as {@link TrainingConfig#defaults} sets), the loss that
 * {@code BlackScholesPde} builds from the price jet (value, ∂/∂m, ∂/∂τ, ∂²/∂m²) plus the boundary
 * term, its gradient with respect to every weight, and the Adam update, on a tape over one reused
 * {@link Workspace}. The weights move every step (at the schedule's last learning rate, so that
 * they stay near the trained ones).
 *
 * <p>Compare with {@link AdamStepBenchmark}, the same kind of step on a synthetic 4-input MLP.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainerStepBenchmark {

    /** Interior collocation points per step. */
    @Param("4096")
    public int points;

    /** Threads the vector backend splits large calls over. */
    @Param("1")
    public int threads;

    /** Whose network and trained weights; see {@link BenchModels}. */
    @Param({BenchModels.WIDE, BenchModels.DEFAULT})
    public String model;

    VectorBackend backend;
    PricingNetwork network;
    Trainer trainer;
    Adam adam;
    Workspace workspace;
    double learningRate;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new VectorBackend(threads);
        ModelFile file = BenchModels.file(model);
        network = PricingNetwork.fromModelFile(backend, file);
        int[] hidden = file.architecture().hiddenWidths().stream().mapToInt(Integer::intValue).toArray();
        TrainingConfig config = TrainingConfig.defaults(6000, points, hidden, 1);
        trainer = new Trainer(network, config);
        adam = trainer.newAdam();
        learningRate = config.learningRateAt(config.adamSteps() - 1);
        workspace = new Workspace(backend);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        workspace.close();
        network.close();
        backend.close();
    }

    @Benchmark
    public void trainerAdamStep(Blackhole blackhole) {
        blackhole.consume(trainer.adamStep(adam, learningRate, workspace).total());
    }
}
