package pinn.bench;

import java.util.List;
import java.util.SplittableRandom;
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
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.autodiff.Workspace;
import pinn.kernels.Backend;
import pinn.kernels.ReferenceBackend;
import pinn.kernels.VectorBackend;
import pinn.runtime.Mlp;

/**
 * Forward-mode jets against nested reverse mode for the terms of the Black-Scholes residual
 * R = −V_τ + ½σ²S²·V_SS + rS·V_S − rV, on a 4 → 64 → 64 → 64 → 64 → 1 tanh MLP at 4096
 * collocation points.
 *
 * <p>Each benchmark opens a tape, computes what it names and closes the tape; with
 * {@code reuseMemory} (the default) the tape borrows its memory from a workspace, as a training
 * loop does, otherwise every intermediate is freshly mapped and freed:
 * <ul>
 *   <li>{@code termsByJets}: V, V_S, V_τ, V_SS by one forward pass of a jet (value, tangents along
 *       S and τ, second derivative along S);</li>
 *   <li>{@code termsByNestedReverse}: the same by reverse mode: ∂V/∂x with create graph, then the
 *       gradient of Σ V_S for V_SS;</li>
 *   <li>{@code lossGradientByJets} / {@code lossGradientByNestedReverse}: the terms, the loss
 *       mean(R²) and its gradient with respect to all weights (one training step's work, without
 *       the optimiser).</li>
 * </ul>
 * Inputs are x = (ln S, τ, σ, r) with K = 1, so dx/dS = (1/S, 0, 0, 0) and d²x/dS² = (−1/S², 0, 0, 0)
 * vary per point. The ratio nested / jets is the point of the exercise; compare within one run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class JetsVsNestedBenchmark {

    /** Collocation points per batch. */
    @Param("4096")
    public int points;

    /** "vector" (the Vector API backend) or "reference" (scalar loops). */
    @Param("vector")
    public String backend;

    /** Threads the vector backend splits large calls over; 1 compares with the single-core floors. */
    @Param("1")
    public int threads;

    /** Whether tapes borrow memory from a {@link Workspace} (as training should) or map fresh memory each time. */
    @Param("true")
    public boolean reuseMemory;

    Problem problem;
    Workspace workspace;

    @Setup(Level.Trial)
    public void setUp() {
        problem = new Problem(Problem.backend(backend, threads), points);
        workspace = reuseMemory ? new Workspace(problem.backend) : null;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (workspace != null) workspace.close();
        problem.close();
    }

    @Benchmark
    public void termsByJets(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            blackhole.consume(problem.residualByJets(tape).get(0, 0));
        }
    }

    @Benchmark
    public void termsByNestedReverse(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            blackhole.consume(problem.residualByNestedReverse(tape, false).get(0, 0));
        }
    }

    @Benchmark
    public void lossGradientByJets(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            Tensor loss = tape.mean(tape.square(problem.residualByJets(tape)));
            blackhole.consume(tape.grad(loss, problem.mlp.parameters()).getFirst().get(0, 0));
        }
    }

    @Benchmark
    public void lossGradientByNestedReverse(Blackhole blackhole) {
        try (Tape tape = new Tape(problem.backend, workspace)) {
            Tensor loss = tape.mean(tape.square(problem.residualByNestedReverse(tape, true)));
            blackhole.consume(tape.grad(loss, problem.mlp.parameters()).getFirst().get(0, 0));
        }
    }

    /** The network, the collocation points and their per-point input derivatives. */
    static final class Problem implements AutoCloseable {
        static final int[] SIZES = {4, 64, 64, 64, 64, 1};

        final Backend backend;
        final Mlp mlp;
        final int n;
        /** x = (ln S, τ, σ, r), and its derivatives along S and τ, row-major n × 4. */
        final double[] x, dxdS, d2xdS2, dxdTau;
        /** Per-point PDE coefficients: ½σ²S², rS, −r (n × 1). */
        final double[] diffusion, drift, discount;

        Problem(Backend backend, int n) {
            this.backend = backend;
            this.mlp = new Mlp(backend, SIZES, 1);
            this.n = n;
            x = new double[n * 4];
            dxdS = new double[n * 4];
            d2xdS2 = new double[n * 4];
            dxdTau = new double[n * 4];
            diffusion = new double[n];
            drift = new double[n];
            discount = new double[n];
            SplittableRandom random = new SplittableRandom(2024);
            for (int i = 0; i < n; i++) {
                double s = 0.5 + random.nextDouble(), tau = 0.01 + random.nextDouble();
                double sigma = 0.1 + 0.4 * random.nextDouble(), r = 0.1 * random.nextDouble();
                x[4 * i] = Math.log(s);
                x[4 * i + 1] = tau;
                x[4 * i + 2] = sigma;
                x[4 * i + 3] = r;
                dxdS[4 * i] = 1 / s;
                d2xdS2[4 * i] = -1 / (s * s);
                dxdTau[4 * i + 1] = 1;
                diffusion[i] = 0.5 * sigma * sigma * s * s;
                drift[i] = r * s;
                discount[i] = -r;
            }
        }

        /** R from V, V_S, V_SS, V_τ (each n × 1). */
        Tensor residual(Tape tape, Tensor v, Tensor vS, Tensor vSS, Tensor vTau) {
            Tensor r = tape.sub(tape.mul(tape.tensor(n, 1, diffusion), vSS), vTau);
            r = tape.add(r, tape.mul(tape.tensor(n, 1, drift), vS));
            return tape.add(r, tape.mul(tape.tensor(n, 1, discount), v));
        }

        /**
         * The terms by one jet forward pass: tangents along S and τ, second derivative along S;
         * the jet stacked into one matrix, a GEMM and a fused tanh pass per layer.
         */
        Tensor residualByJets(Tape tape) {
            Jet out = mlp.forwardJet(tape, inputJet(tape));
            return residual(tape, out.value(), out.tangent(0), out.second(), out.tangent(1));
        }

        /** The same jet pass component by component (a GEMM per component, an op per elementary function). */
        Tensor residualByComponentJets(Tape tape) {
            Jet out = mlp.forwardJetByComponents(tape, inputJet(tape));
            return residual(tape, out.value(), out.tangent(0), out.second(), out.tangent(1));
        }

        private Jet inputJet(Tape tape) {
            return new Jet(tape.tensor(n, 4, x), List.of(tape.tensor(n, 4, dxdS), tape.tensor(n, 4, dxdTau)), tape.tensor(n, 4, d2xdS2));
        }

        /**
         * The terms by reverse mode: g = ∂V/∂x (points are independent, so the gradient of ΣV holds
         * each point's), V_S = g·dx/dS, V_τ = g·dx/dτ, V_SS = ∂V_S/∂x·dx/dS + g·d²x/dS².
         *
         * @param differentiable whether V_SS itself is recorded (needed to differentiate the loss)
         */
        Tensor residualByNestedReverse(Tape tape, boolean differentiable) {
            Tensor input = tape.tensor(n, 4, x), tS = tape.tensor(n, 4, dxdS);
            Tensor v = mlp.forward(tape, input);
            Tensor g = tape.grad(tape.sum(v), List.of(input), true).getFirst();
            Tensor vS = tape.rowSums(tape.mul(g, tS));
            Tensor vTau = tape.rowSums(tape.mul(g, tape.tensor(n, 4, dxdTau)));
            Tensor h = tape.grad(tape.sum(vS), List.of(input), differentiable).getFirst();
            Tensor vSS = tape.add(tape.rowSums(tape.mul(h, tS)), tape.rowSums(tape.mul(g, tape.tensor(n, 4, d2xdS2))));
            return residual(tape, v, vS, vSS, vTau);
        }

        @Override
        public void close() {
            mlp.close();
            backend.close();
        }

        /** The named backend: "vector" (the Vector API backend) or "reference" (scalar loops). */
        static Backend backend(String name, int threads) {
            return switch (name) {
                case "vector" -> new VectorBackend(threads);
                case "reference" -> new ReferenceBackend();
                default -> throw new IllegalArgumentException("backend must be vector or reference, was " + name);
            };
        }
    }
}
