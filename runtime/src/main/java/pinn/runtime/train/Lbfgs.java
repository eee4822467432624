package pinn.runtime.train;

import java.util.Objects;

/**
 * Limited-memory BFGS minimisation of a smooth function of many variables (PINN network weights,
 * 1e3 to 1e5 of them), with a strong-Wolfe line search. Follows Nocedal and Wright, <i>Numerical
 * Optimization</i> (2nd ed.): the two-loop recursion (algorithm 7.4) with initial scaling
 * γ = sᵀy / yᵀy (eq. 7.20), and the bracketing line search with a cubic-interpolation zoom
 * (algorithms 3.5 and 3.6).
 *
 * <p>Robustness for ill-conditioned losses:
 * <ul>
 * <li>a pair (s, y) enters the history only if sᵀy &gt; ε · yᵀy, so the inverse-Hessian estimate
 *     stays positive definite and finite even when the curvature estimate is useless;</li>
 * <li>a trial step whose value or gradient is NaN or infinite is treated as too long and shrunk;</li>
 * <li>if a line search runs out of trials after finding a sufficient decrease but no strong-Wolfe
 *     point, that decrease is taken rather than thrown away;</li>
 * <li>if it finds no decrease at all, the history is dropped and steepest descent is tried before
 *     giving up with {@link LbfgsStopReason#LINE_SEARCH_FAILED}.</li>
 * </ul>
 *
 * <p>A run allocates its workspace, 2 · (historySize + 1) + 7 arrays of the point's length, once;
 * iterations allocate nothing. Arithmetic is sequential, so equal inputs give bit-identical results.
 * An instance holds only its settings: it is immutable and may run on several threads at once.
 */
public final class Lbfgs {

    private final LbfgsSettings settings;

    /** An optimiser with {@link LbfgsSettings#DEFAULTS}. */
    public Lbfgs() {
        this(LbfgsSettings.DEFAULTS);
    }

    /**
     * An optimiser with the given settings.
     *
     * @param settings limits, tolerances and line-search constants for every run
     */
    public Lbfgs(LbfgsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Returns the settings every run of this optimiser uses. */
    public LbfgsSettings settings() {
        return settings;
    }

    /**
     * Minimises {@code function} from {@code start} without progress reports.
     *
     * @param function the function to minimise
     * @param start the first point; not modified
     * @return the best point found and why the run stopped
     */
    public LbfgsResult minimize(DifferentiableFunction function, double[] start) {
        return minimize(function, start, IterationCallback.NONE);
    }

    /**
     * Minimises {@code function} from {@code start}, calling {@code callback} after every step.
     *
     * @param function the function to minimise
     * @param start the first point; not modified
     * @param callback hears about each step and may stop the run
     * @return the best point found and why the run stopped
     */
    public LbfgsResult minimize(DifferentiableFunction function, double[] start, IterationCallback callback) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(callback, "callback");
        if (start.length == 0) {
            throw new IllegalArgumentException("start must have at least one element");
        }
        return new Run(settings, function, callback, start).run();
    }

    /** What a line search left in the {@code lo} slot of a {@link Run}. */
    private enum Search {
        /** A step with sufficient decrease (strong Wolfe if trials allowed) is in {@code lo}. */
        STEP_FOUND,
        /** No trial lowered the value enough. */
        NO_STEP,
        /** The evaluation budget ran out; {@code lo} holds a step only if {@code alphaLo > 0}. */
        BUDGET_SPENT
    }

    /** The mutable state of one minimisation; lives for one {@link #minimize} call. */
    private static final class Run {

        /** How far inside its bracket a zoom trial must lie, as a fraction of the bracket width. */
        private static final double BRACKET_MARGIN = 0.1;
        /** Extrapolation bounds from Moré and Thuente: the next trial lies in [1.1, 4] steps past the last. */
        private static final double MIN_EXTRAPOLATION = 1.1;
        private static final double MAX_EXTRAPOLATION = 4.0;

        private final LbfgsSettings settings;
        private final DifferentiableFunction function;
        private final IterationCallback callback;
        private final int dimension;

        // The current iterate.
        private double[] point;
        private double[] gradient;
        private double value;
        private double gradientNorm;

        private final double[] direction;
        private double[] trialPoint;
        private double[] trialGradient;

        // The best step of the current line search (the "lo" end of N&W's bracket); 0 means none.
        private double[] loPoint;
        private double[] loGradient;
        private double alphaLo;
        private double valueLo;
        private double slopeLo;

        // History ring: one slot more than historySize, so a new pair never overwrites the oldest
        // live pair before its curvature check has passed.
        private final double[][] steps;          // s = x_{k+1} − x_k
        private final double[][] gradientChanges; // y = g_{k+1} − g_k
        private final double[] inverseCurvature;  // ρ = 1 / sᵀy
        private final double[] scaling;           // γ = sᵀy / yᵀy
        private final double[] twoLoopCoefficients;
        private int newest = -1;
        private int historyCount;

        private int iterations;
        private int evaluations;

        Run(LbfgsSettings settings, DifferentiableFunction function, IterationCallback callback, double[] start) {
            this.settings = settings;
            this.function = function;
            this.callback = callback;
            this.dimension = start.length;
            this.point = start.clone();
            this.gradient = new double[dimension];
            this.direction = new double[dimension];
            this.trialPoint = new double[dimension];
            this.trialGradient = new double[dimension];
            this.loPoint = new double[dimension];
            this.loGradient = new double[dimension];
            int slots = settings.historySize() + 1;
            this.steps = new double[slots][dimension];
            this.gradientChanges = new double[slots][dimension];
            this.inverseCurvature = new double[slots];
            this.scaling = new double[slots];
            this.twoLoopCoefficients = new double[slots];
        }

        LbfgsResult run() {
            value = function.valueAndGradient(point, gradient);
            evaluations = 1;
            gradientNorm = Math.sqrt(dot(gradient, gradient));
            if (!Double.isFinite(value) || !Double.isFinite(gradientNorm)) {
                return result(LbfgsStopReason.NON_FINITE_START);
            }
            if (gradientNorm <= settings.gradientTolerance()) {
                return result(LbfgsStopReason.GRADIENT_TOLERANCE);
            }
            if (settings.maxIterations() == 0) {
                return result(LbfgsStopReason.MAX_ITERATIONS);
            }
            if (evaluations >= settings.maxEvaluations()) {
                return result(LbfgsStopReason.MAX_EVALUATIONS);
            }
            while (true) {
                boolean steepestDescent = historyCount == 0;
                double slope0 = 0;
                if (!steepestDescent) {
                    quasiNewtonDirection();
                    slope0 = dot(gradient, direction);
                    if (!(slope0 < 0)) {
                        // Rounding in a badly conditioned history can leave no descent: start afresh.
                        historyCount = 0;
                        steepestDescent = true;
                    }
                }
                double initialStep = 1.0;
                if (steepestDescent) {
                    for (int i = 0; i < dimension; i++) {
                        direction[i] = -gradient[i];
                    }
                    slope0 = dot(gradient, direction);
                    initialStep = 1.0 / gradientNorm; // first trial moves the point by length 1
                }

                Search search = lineSearch(initialStep, slope0);
                if (search == Search.NO_STEP) {
                    if (!steepestDescent) {
                        historyCount = 0;  // the history may be what misleads; retry once without it
                        continue;
                    }
                    return result(LbfgsStopReason.LINE_SEARCH_FAILED);
                }
                if (alphaLo == 0) { // budget spent before any decrease
                    return result(LbfgsStopReason.MAX_EVALUATIONS);
                }

                double previousValue = value;
                acceptStep();
                iterations++;
                boolean proceed = callback.afterIteration(iterations, value, gradientNorm);

                if (gradientNorm <= settings.gradientTolerance()) {
                    return result(LbfgsStopReason.GRADIENT_TOLERANCE);
                }
                double tolerance = settings.relativeFunctionTolerance();
                if (tolerance > 0 && previousValue - value
                        <= tolerance * Math.max(Math.abs(previousValue), Math.abs(value))) {
                    return result(LbfgsStopReason.FUNCTION_TOLERANCE);
                }
                if (!proceed) {
                    return result(LbfgsStopReason.STOPPED_BY_CALLBACK);
                }
                if (search == Search.BUDGET_SPENT || evaluations >= settings.maxEvaluations()) {
                    return result(LbfgsStopReason.MAX_EVALUATIONS);
                }
                if (iterations >= settings.maxIterations()) {
                    return result(LbfgsStopReason.MAX_ITERATIONS);
                }
            }
        }

        private LbfgsResult result(LbfgsStopReason reason) {
            return new LbfgsResult(point, value, gradientNorm, iterations, evaluations, reason);
        }

        /** direction = −H·gradient by the two-loop recursion over the live history. */
        private void quasiNewtonDirection() {
            double[] q = direction;
            System.arraycopy(gradient, 0, q, 0, dimension);
            int slots = steps.length;
            for (int k = 0, j = newest; k < historyCount; k++, j = (j == 0 ? slots - 1 : j - 1)) {
                double a = inverseCurvature[j] * dot(steps[j], q);
                twoLoopCoefficients[j] = a;
                axpy(-a, gradientChanges[j], q);
            }
            double gamma = scaling[newest];
            for (int i = 0; i < dimension; i++) {
                q[i] *= gamma;
            }
            int oldest = Math.floorMod(newest - historyCount + 1, slots);
            for (int k = 0, j = oldest; k < historyCount; k++, j = (j + 1 == slots ? 0 : j + 1)) {
                double b = inverseCurvature[j] * dot(gradientChanges[j], q);
                axpy(twoLoopCoefficients[j] - b, steps[j], q);
            }
            for (int i = 0; i < dimension; i++) {
                q[i] = -q[i];
            }
        }

        /**
         * Moves to the line search's step and records (s, y) if its curvature is usable. The pair is
         * written into the spare slot and only becomes live after the check, so a rejected pair
         * costs no history.
         */
        private void acceptStep() {
            int slot = (newest + 1) % steps.length;
            double[] s = steps[slot];
            double[] y = gradientChanges[slot];
            double sy = 0;
            double yy = 0;
            for (int i = 0; i < dimension; i++) {
                double si = loPoint[i] - point[i];
                double yi = loGradient[i] - gradient[i];
                s[i] = si;
                y[i] = yi;
                sy = Math.fma(si, yi, sy);
                yy = Math.fma(yi, yi, yy);
            }
            if (sy > settings.curvatureEpsilon() * yy && Double.isFinite(sy) && Double.isFinite(yy)) {
                inverseCurvature[slot] = 1.0 / sy;
                scaling[slot] = sy / yy;
                newest = slot;
                historyCount = Math.min(historyCount + 1, settings.historySize());
            }
            double[] swap = point;
            point = loPoint;
            loPoint = swap;
            swap = gradient;
            gradient = loGradient;
            loGradient = swap;
            value = valueLo;
            gradientNorm = Math.sqrt(dot(gradient, gradient));
        }

        /**
         * Nocedal and Wright algorithm 3.5: grows the step until it brackets a strong-Wolfe point,
         * then {@link #zoom}s. On return the best step found is in the {@code lo} slot.
         */
        private Search lineSearch(double initialStep, double slope0) {
            double c1 = settings.sufficientDecrease();
            double c2 = settings.curvature();
            int trialsLeft = settings.maxLineSearchEvaluations();
            alphaLo = 0;
            valueLo = value;
            slopeLo = slope0;
            double alpha = initialStep;
            while (true) {
                if (evaluations >= settings.maxEvaluations()) {
                    return Search.BUDGET_SPENT;
                }
                if (trialsLeft-- == 0) {
                    return alphaLo > 0 ? Search.STEP_FOUND : Search.NO_STEP;
                }
                double trialValue = evaluateTrial(alpha);
                double trialSlope = dot(trialGradient, direction);
                if (!Double.isFinite(trialValue) || !Double.isFinite(trialSlope)
                        || trialValue > value + c1 * alpha * slope0 || trialValue >= valueLo) {
                    return zoom(alpha, trialValue, trialSlope, trialsLeft, slope0);
                }
                if (Math.abs(trialSlope) <= -c2 * slope0) {
                    takeTrialAsLo(alpha, trialValue, trialSlope);
                    return Search.STEP_FOUND;
                }
                if (trialSlope >= 0) {
                    // Passed a minimiser: the trial becomes lo and the previous lo the far end.
                    double hiAlpha = alphaLo;
                    double hiValue = valueLo;
                    double hiSlope = slopeLo;
                    takeTrialAsLo(alpha, trialValue, trialSlope);
                    return zoom(hiAlpha, hiValue, hiSlope, trialsLeft, slope0);
                }
                double previousAlpha = alphaLo;
                double previousValue = valueLo;
                double previousSlope = slopeLo;
                takeTrialAsLo(alpha, trialValue, trialSlope);
                alpha = extrapolate(previousAlpha, previousValue, previousSlope, alpha, trialValue, trialSlope);
            }
        }

        /**
         * Nocedal and Wright algorithm 3.6: shrinks the bracket [lo, hi] (either order) by safeguarded
         * cubic interpolation until a trial meets the strong Wolfe conditions. Invariants: lo has the
         * lowest sufficient-decrease value so far, and the slope at lo points towards hi.
         */
        private Search zoom(double hiAlpha, double hiValue, double hiSlope, int trialsLeft, double slope0) {
            double c1 = settings.sufficientDecrease();
            double c2 = settings.curvature();
            while (true) {
                if (evaluations >= settings.maxEvaluations()) {
                    return Search.BUDGET_SPENT;
                }
                if (trialsLeft-- == 0) {
                    return alphaLo > 0 ? Search.STEP_FOUND : Search.NO_STEP;
                }
                double alpha = interpolate(alphaLo, valueLo, slopeLo, hiAlpha, hiValue, hiSlope);
                if (alpha == alphaLo || alpha == hiAlpha) {
                    // The bracket is narrower than double resolution: nothing more to learn.
                    return alphaLo > 0 ? Search.STEP_FOUND : Search.NO_STEP;
                }
                double trialValue = evaluateTrial(alpha);
                double trialSlope = dot(trialGradient, direction);
                if (!Double.isFinite(trialValue) || !Double.isFinite(trialSlope)
                        || trialValue > value + c1 * alpha * slope0 || trialValue >= valueLo) {
                    hiAlpha = alpha;
                    hiValue = trialValue;
                    hiSlope = trialSlope;
                    continue;
                }
                if (Math.abs(trialSlope) <= -c2 * slope0) {
                    takeTrialAsLo(alpha, trialValue, trialSlope);
                    return Search.STEP_FOUND;
                }
                if (trialSlope * (hiAlpha - alphaLo) >= 0) {
                    hiAlpha = alphaLo;
                    hiValue = valueLo;
                    hiSlope = slopeLo;
                }
                takeTrialAsLo(alpha, trialValue, trialSlope);
            }
        }

        private double evaluateTrial(double alpha) {
            for (int i = 0; i < dimension; i++) {
                trialPoint[i] = Math.fma(alpha, direction[i], point[i]);
            }
            evaluations++;
            return function.valueAndGradient(trialPoint, trialGradient);
        }

        /** Makes the last trial the line search's best step by swapping buffers, not copying them. */
        private void takeTrialAsLo(double alpha, double trialValue, double trialSlope) {
            double[] swap = loPoint;
            loPoint = trialPoint;
            trialPoint = swap;
            swap = loGradient;
            loGradient = trialGradient;
            trialGradient = swap;
            alphaLo = alpha;
            valueLo = trialValue;
            slopeLo = trialSlope;
        }

        /** A trial inside the bracket: the cubic's minimiser if usable, else quadratic, else midpoint. */
        private static double interpolate(double a, double fa, double da, double b, double fb, double db) {
            double trial = Double.NaN;
            if (Double.isFinite(fb) && Double.isFinite(db)) {
                trial = cubicMinimizer(a, fa, da, b, fb, db);
            }
            if (!Double.isFinite(trial) && Double.isFinite(fb)) {
                trial = quadraticMinimizer(a, fa, da, b, fb);
            }
            double left = Math.min(a, b);
            double right = Math.max(a, b);
            double margin = BRACKET_MARGIN * (right - left);
            if (!Double.isFinite(trial)) {
                return left + 0.5 * (right - left); // a non-finite end says nothing but "too far"
            }
            // Keep away from the ends so the bracket shrinks by at least the margin each trial.
            return Math.min(Math.max(trial, left + margin), right - margin);
        }

        /** The next, longer trial while still bracketing: a cubic guess bounded to [1.1, 4] steps on. */
        private static double extrapolate(double a, double fa, double da, double b, double fb, double db) {
            double step = b - a;
            double lower = b + MIN_EXTRAPOLATION * step;
            double upper = b + MAX_EXTRAPOLATION * step;
            double trial = cubicMinimizer(a, fa, da, b, fb, db);
            if (!Double.isFinite(trial) || trial <= b) {
                return upper; // no minimiser ahead: go as far as allowed
            }
            return Math.min(Math.max(trial, lower), upper);
        }

        /**
         * The minimiser of the cubic through (a, fa) and (b, fb) with slopes da and db (N&amp;W eq. 3.59),
         * or NaN when the cubic has none.
         */
        private static double cubicMinimizer(double a, double fa, double da, double b, double fb, double db) {
            double d1 = da + db - 3 * (fa - fb) / (a - b);
            double discriminant = d1 * d1 - da * db;
            if (!(discriminant >= 0)) {
                return Double.NaN;
            }
            double d2 = Math.copySign(Math.sqrt(discriminant), b - a);
            return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
        }

        /** The minimiser of the parabola with value fa and slope da at a and value fb at b, or NaN. */
        private static double quadraticMinimizer(double a, double fa, double da, double b, double fb) {
            double width = b - a;
            double curvature = (fb - fa - da * width) / (width * width);
            return curvature > 0 ? a - da / (2 * curvature) : Double.NaN;
        }

        /** A dot product with four independent fused chains: faster, and still one fixed order. */
        private static double dot(double[] u, double[] v) {
            int n = u.length;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = 0;
            for (; i + 3 < n; i += 4) {
                s0 = Math.fma(u[i], v[i], s0);
                s1 = Math.fma(u[i + 1], v[i + 1], s1);
                s2 = Math.fma(u[i + 2], v[i + 2], s2);
                s3 = Math.fma(u[i + 3], v[i + 3], s3);
            }
            for (; i < n; i++) {
                s0 = Math.fma(u[i], v[i], s0);
            }
            return (s0 + s1) + (s2 + s3);
        }

        /** target += factor · source */
        private static void axpy(double factor, double[] source, double[] target) {
            for (int i = 0; i < target.length; i++) {
                target[i] = Math.fma(factor, source[i], target[i]);
            }
        }
    }
}
