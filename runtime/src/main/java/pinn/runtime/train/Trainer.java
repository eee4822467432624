package pinn.runtime.train;

import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.autodiff.Workspace;
import pinn.kernels.AdamConfig;
import pinn.runtime.Adam;
import pinn.runtime.BlackScholesPde;
import pinn.runtime.OptionPoints;
import pinn.runtime.PricingNetwork;

/**
 * Trains a {@link PricingNetwork} from the Black-Scholes PDE alone: Adam on resampled
 * collocation points, then L-BFGS on the last point set, all in float64.
 *
 * <p>The loss is the mean squared scaled PDE residual at the interior points plus the mean
 * squared network output at the boundary points (|z| = 8, where the price is its asymptote). The
 * terminal payoff needs no loss term: the output transform builds it in. Residual derivatives
 * come from forward-mode jets on the tape; weight gradients from reverse mode over them.
 *
 * <p>Deterministic for a given configuration and backend thread count. Each step runs on a tape
 * of its own, closed at the end of the step, so training holds no memory from step to step.
 * {@link #adamStep} is that step, for benchmarks ({@code TrainerStepBenchmark}) as for
 * {@link #train}. Before its first timed step, {@link #train} lets the JIT compile the kernels
 * on a few points (see {@code warmUp}), which changes no state.
 */
public final class Trainer {

    /** Loss terms after one step, for progress reports. */
    public record Losses(double pde, double boundary) {
        public double total() {
            return pde + boundary;
        }
    }

    /** Hears about every step, on the training thread (progress bars, checkpoints). */
    public interface Listener {
        /**
         * @param phase "adam" or "lbfgs"
         * @param step 1-based step within the phase
         * @param phaseSteps the phase's planned number of steps
         */
        void afterStep(String phase, long step, long phaseSteps, Losses losses);
    }

    /**
     * What a run did.
     *
     * @param adamSteps Adam steps taken
     * @param lbfgsIterations L-BFGS iterations taken
     * @param finalLosses the loss terms at the end
     * @param meanAdamStepMillis mean wall time of one Adam step (loss, gradient, update), ms; the
     *                           untimed JIT warm-up before the first step is not included
     * @param stopped whether the run ended early because a stop was requested
     */
    public record Result(long adamSteps, long lbfgsIterations, Losses finalLosses, double meanAdamStepMillis, boolean stopped) {}

    /** Points per warm-up evaluation: enough for every kernel to take its multi-threaded path. */
    static final int WARM_UP_POINTS = 256;
    /** Warm-up evaluations of the loss and its gradient, before the first timed step. */
    static final int WARM_UP_EVALUATIONS = 40;

    private final PricingNetwork network;
    private final TrainingConfig config;
    private final Collocation collocation;
    private OptionPoints interior;
    private OptionPoints boundary;
    /** The memory every tape of the running {@link #train} call reuses. */
    private Workspace workspace;

    public Trainer(PricingNetwork network, TrainingConfig config) {
        this.network = network;
        this.config = config;
        this.collocation = new Collocation(Collocation.widen(config.domain()), config.seed());
        this.interior = collocation.interior(config.points());
        this.boundary = collocation.boundary(config.boundaryPoints());
    }

    /**
     * Runs both phases on the calling thread; {@code stopRequested} is polled after every step.
     * Every step's tape reuses one {@link Workspace}, so steps do not map fresh memory.
     */
    public Result train(Listener listener, BooleanSupplier stopRequested) {
        try (Workspace ws = new Workspace(network.mlp().backend())) {
            workspace = ws;
            return trainPhases(listener, stopRequested);
        } finally {
            workspace = null;
        }
    }

    private Result trainPhases(Listener listener, BooleanSupplier stopRequested) {
        warmUp();
        Adam adam = newAdam();
        Losses losses = new Losses(Double.NaN, Double.NaN);
        long adamNanos = 0;
        int step = 0;
        while (step < config.adamSteps() && !stopRequested.getAsBoolean()) {
            if (config.resampleEvery() > 0 && step > 0 && step % config.resampleEvery() == 0) resample();
            long start = System.nanoTime();
            losses = adamStep(adam, config.learningRateAt(step), workspace);
            adamNanos += System.nanoTime() - start;
            step++;
            listener.afterStep("adam", step, config.adamSteps(), losses);
        }
        double meanAdamMillis = step == 0 ? Double.NaN : adamNanos / 1e6 / step;
        if (stopRequested.getAsBoolean()) return new Result(step, 0, losses, meanAdamMillis, true);

        LbfgsResult lbfgs = lbfgs(listener, stopRequested);
        losses = evaluate();
        return new Result(step, lbfgs == null ? 0 : lbfgs.iterations(), losses, meanAdamMillis, stopRequested.getAsBoolean());
    }

    /** A fresh Adam optimiser for this trainer's network, as {@link #train} makes for its first phase. */
    public Adam newAdam() {
        return new Adam(network.mlp(), AdamConfig.withLearningRate(config.learningRate()));
    }

    /**
     * One Adam step at the current collocation points, exactly as {@link #train} runs each step of
     * its first phase: on a tape over {@code workspace}, the loss (PDE residual at the interior
     * points by jets, network output at the boundary points), its gradient with respect to every
     * parameter by reverse mode, and the update. Exposed so that a benchmark measures the step
     * training runs; call it on the thread that opened the workspace.
     *
     * @param adam the optimiser, made for this trainer's network
     * @param learningRate this step's learning rate
     * @param workspace memory the step's tape borrows (null: fresh memory)
     * @return the loss terms before the update
     */
    public Losses adamStep(Adam adam, double learningRate, Workspace workspace) {
        try (Tape tape = new Tape(network.mlp().backend(), workspace)) {
            LossTensors loss = loss(tape);
            adam.step(tape.grad(loss.total(), network.mlp().parameters()), learningRate);
            return loss.values();
        }
    }

    /**
     * Untimed, and changing nothing: evaluates the loss and its gradient a few times on the first
     * {@value #WARM_UP_POINTS} collocation points, so that the JIT compiles the step's kernels on
     * small problems. Without it the first full-size steps run the Vector API kernels interpreted,
     * hundreds of times slower: here the first step took 14 to 17 s instead of a few ms, which
     * dominated the mean step time of a short run. With it, 300 steps at 4096 points finished in
     * about 16 s instead of 29 s, to the same bits.
     */
    private void warmUp() {
        OptionPoints fewInterior = first(interior, WARM_UP_POINTS);
        OptionPoints fewBoundary = first(boundary, WARM_UP_POINTS / 16);
        for (int i = 0; i < WARM_UP_EVALUATIONS; i++) {
            try (Tape tape = new Tape(network.mlp().backend(), workspace)) {
                tape.grad(loss(tape, fewInterior, fewBoundary).total(), network.mlp().parameters());
            }
        }
    }

    private static OptionPoints first(OptionPoints points, int count) {
        int n = Math.min(count, points.size());
        return new OptionPoints(Arrays.copyOf(points.moneyness(), n), Arrays.copyOf(points.expiry(), n),
                Arrays.copyOf(points.vol(), n), Arrays.copyOf(points.rate(), n));
    }

    /** The loss terms at the current weights and points, without a gradient. */
    private Losses evaluate() {
        try (Tape tape = new Tape(network.mlp().backend(), workspace)) {
            return loss(tape).values();
        }
    }

    private record LossTensors(Tensor pde, Tensor boundary, Tensor total) {
        Losses values() {
            return new Losses(pde.item(), boundary.item());
        }
    }

    private LossTensors loss(Tape tape) {
        return loss(tape, interior, boundary);
    }

    private LossTensors loss(Tape tape, OptionPoints interior, OptionPoints boundary) {
        Jet v = network.priceJet(tape, interior, BlackScholesPde.DIRECTIONS);
        Tensor pde = tape.mean(tape.square(BlackScholesPde.residual(tape, v, interior)));
        Tensor boundaryLoss = boundary.size() == 0 ? tape.zeros(1, 1)
                : tape.mean(tape.square(network.networkOutput(tape, boundary)));
        return new LossTensors(pde, boundaryLoss, tape.add(pde, boundaryLoss));
    }

    /** Residual-based resampling: fresh Sobol candidates, kept with probability growing with their residual. */
    private void resample() {
        OptionPoints candidates = collocation.interior(4 * config.points());
        double[] residuals;
        try (Tape tape = new Tape(network.mlp().backend(), workspace)) {
            Jet v = network.priceJet(tape, candidates, BlackScholesPde.DIRECTIONS);
            residuals = BlackScholesPde.residual(tape, v, candidates).toArray();
        }
        interior = collocation.resample(candidates, residuals, config.points());
        boundary = collocation.boundary(config.boundaryPoints());
    }

    private LbfgsResult lbfgs(Listener listener, BooleanSupplier stopRequested) {
        if (config.lbfgsIterations() == 0) return null;
        List<Tensor> parameters = network.mlp().parameters();
        DifferentiableFunction objective = (point, gradientOut) -> {
            network.mlp().loadParameters(point);
            try (Tape tape = new Tape(network.mlp().backend(), workspace)) {
                LossTensors loss = loss(tape);
                List<Tensor> gradients = tape.grad(loss.total(), parameters);
                int offset = 0;
                for (Tensor g : gradients) {
                    double[] values = g.toArray();
                    System.arraycopy(values, 0, gradientOut, offset, values.length);
                    offset += values.length;
                }
                return loss.total().item();
            }
        };
        LbfgsSettings settings = LbfgsSettings.DEFAULTS.withMaxIterations(config.lbfgsIterations())
                .withMaxEvaluations(config.lbfgsIterations() * 2 + 20);
        LbfgsResult result = new Lbfgs(settings).minimize(objective, network.mlp().exportParameters(), (iteration, value, gradientNorm) -> {
            listener.afterStep("lbfgs", iteration, config.lbfgsIterations(), new Losses(value, 0));
            return !stopRequested.getAsBoolean();
        });
        network.mlp().loadParameters(result.point());
        return result;
    }
}
