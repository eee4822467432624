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
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.autodiff.Workspace;
import pinn.bench.JetsVsNestedBenchmark.Problem;
import pinn.kernels.AdamConfig;
import pinn.runtime.Adam;

/**
 * One full Adam training step on the Black-Scholes residual loss mean(R²) at 4096 collocation
 * points, 4 → 64 → 64 → 64 → 64 → 1 tanh MLP: open a tape on the training loop's workspace,
 * compute the residual terms (by jets, or by nested reverse mode for comparison), the loss, its
 * gradient with respect to every weight, the Adam update, close the tape. The weights move every
 * step, as in training. PyTorch 1.13 on this machine needs about 190 ms for the same step (see
 * the guide).
 *
 * <p>{@code adamStepByJets} stacks the jet into one matrix (a GEMM and a fused tanh pass per
 * layer, as {@code Mlp.forwardJet} does); {@code adamStepByComponentJets} runs the same jet a
 * component at a time, as before, for comparison in one run. {@link TrainerStepBenchmark}
 * measures the trainer's own step (the shipped 2-input network behind its similarity transform).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AdamStepBenchmark {

    @Param("4096")
    public int points;

    /** "vector" (the Vector API backend; the scalar reference if the kernels module lacks it) or "reference". */
    @Param("vector")
    public String backend;

    /** Threads the vector backend splits large calls over. */
    @Param("1")
    public int threads;

    Problem problem;
    Adam adam;
    Workspace workspace;

    @Setup(Level.Trial)
    public void setUp() {
        problem = new Problem(Problem.backend(backend, threads), points);
        adam = new Adam(problem.mlp, AdamConfig.withLearningRate(1e-3));
        workspace = new Workspace(problem.backend);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        workspace.close();
        problem.close();
    }

    @Benchmark
    public void adamStepByJets(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            Tensor loss = tape.mean(tape.square(problem.residualByJets(tape)));
            adam.step(tape.grad(loss, problem.mlp.parameters()));
            blackhole.consume(loss.item());
        }
    }

    /** The jets as before they were stacked: a GEMM per component, an op per elementary function. */
    @Benchmark
    public void adamStepByComponentJets(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            Tensor loss = tape.mean(tape.square(problem.residualByComponentJets(tape)));
            adam.step(tape.grad(loss, problem.mlp.parameters()));
            blackhole.consume(loss.item());
        }
    }

    @Benchmark
    public void adamStepByNestedReverse(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            Tensor loss = tape.mean(tape.square(problem.residualByNestedReverse(tape, true)));
            adam.step(tape.grad(loss, problem.mlp.parameters()));
            blackhole.consume(loss.item());
        }
    }
}
