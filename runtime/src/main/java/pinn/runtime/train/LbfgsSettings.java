package pinn.runtime.train;

/**
 * Settings of an {@link Lbfgs} run. Start from {@link #DEFAULTS} and change what you need with the
 * {@code with...} methods; every instance is validated on construction.
 *
 * @param historySize correction pairs (s, y) kept; memory is 2 · historySize · n doubles
 * @param maxIterations accepted steps at most; 0 only evaluates the start point
 * @param maxEvaluations function evaluations at most, the start point's included
 * @param gradientTolerance stop once the Euclidean gradient norm is at or below this
 * @param relativeFunctionTolerance stop once a step lowers the value by at most this fraction of
 *     max(|f_old|, |f_new|); 0 disables the test
 * @param sufficientDecrease c1 of the Wolfe conditions: the step must lower f by c1 · α · |f'(0)|
 * @param curvature c2 of the strong Wolfe conditions: |f'(α)| ≤ c2 · |f'(0)|; 0 &lt; c1 &lt; c2 &lt; 1
 * @param curvatureEpsilon a pair (s, y) enters the history only if sᵀy &gt; curvatureEpsilon · yᵀy,
 *     which keeps the inverse-Hessian estimate positive definite and finite
 * @param maxLineSearchEvaluations function evaluations one line search may spend
 */
public record LbfgsSettings(
        int historySize,
        int maxIterations,
        int maxEvaluations,
        double gradientTolerance,
        double relativeFunctionTolerance,
        double sufficientDecrease,
        double curvature,
        double curvatureEpsilon,
        int maxLineSearchEvaluations) {

    /**
     * History 20, 10 000 iterations, 20 000 evaluations, ‖g‖ ≤ 1e-8, relative change ≤ 1e-12,
     * c1 = 1e-4, c2 = 0.9 (Nocedal and Wright's choice for quasi-Newton methods), curvature
     * epsilon = machine epsilon (as L-BFGS-B), 40 evaluations per line search.
     */
    public static final LbfgsSettings DEFAULTS =
            new LbfgsSettings(20, 10_000, 20_000, 1e-8, 1e-12, 1e-4, 0.9, Math.ulp(1.0), 40);

    /** Validates every field; throws {@link IllegalArgumentException} naming the first bad one. */
    public LbfgsSettings {
        require(historySize >= 1, "historySize must be >= 1, got " + historySize);
        require(maxIterations >= 0, "maxIterations must be >= 0, got " + maxIterations);
        require(maxEvaluations >= 1, "maxEvaluations must be >= 1, got " + maxEvaluations);
        require(gradientTolerance >= 0 && Double.isFinite(gradientTolerance),
                "gradientTolerance must be finite and >= 0, got " + gradientTolerance);
        require(relativeFunctionTolerance >= 0 && Double.isFinite(relativeFunctionTolerance),
                "relativeFunctionTolerance must be finite and >= 0, got " + relativeFunctionTolerance);
        require(sufficientDecrease > 0 && curvature < 1 && sufficientDecrease < curvature,
                "need 0 < sufficientDecrease < curvature < 1, got " + sufficientDecrease + ", " + curvature);
        require(curvatureEpsilon >= 0 && Double.isFinite(curvatureEpsilon),
                "curvatureEpsilon must be finite and >= 0, got " + curvatureEpsilon);
        require(maxLineSearchEvaluations >= 1,
                "maxLineSearchEvaluations must be >= 1, got " + maxLineSearchEvaluations);
    }

    /** Returns these settings with another history size. */
    public LbfgsSettings withHistorySize(int value) {
        return new LbfgsSettings(value, maxIterations, maxEvaluations, gradientTolerance,
                relativeFunctionTolerance, sufficientDecrease, curvature, curvatureEpsilon, maxLineSearchEvaluations);
    }

    /** Returns these settings with another iteration limit. */
    public LbfgsSettings withMaxIterations(int value) {
        return new LbfgsSettings(historySize, value, maxEvaluations, gradientTolerance,
                relativeFunctionTolerance, sufficientDecrease, curvature, curvatureEpsilon, maxLineSearchEvaluations);
    }

    /** Returns these settings with another evaluation limit. */
    public LbfgsSettings withMaxEvaluations(int value) {
        return new LbfgsSettings(historySize, maxIterations, value, gradientTolerance,
                relativeFunctionTolerance, sufficientDecrease, curvature, curvatureEpsilon, maxLineSearchEvaluations);
    }

    /** Returns these settings with another gradient-norm tolerance. */
    public LbfgsSettings withGradientTolerance(double value) {
        return new LbfgsSettings(historySize, maxIterations, maxEvaluations, value,
                relativeFunctionTolerance, sufficientDecrease, curvature, curvatureEpsilon, maxLineSearchEvaluations);
    }

    /** Returns these settings with another relative function-change tolerance (0 disables it). */
    public LbfgsSettings withRelativeFunctionTolerance(double value) {
        return new LbfgsSettings(historySize, maxIterations, maxEvaluations, gradientTolerance,
                value, sufficientDecrease, curvature, curvatureEpsilon, maxLineSearchEvaluations);
    }

    /** @return these settings with other Wolfe constants c1 (sufficient decrease) and c2 (curvature) */
    public LbfgsSettings withWolfeConstants(double c1, double c2) {
        return new LbfgsSettings(historySize, maxIterations, maxEvaluations, gradientTolerance,
                relativeFunctionTolerance, c1, c2, curvatureEpsilon, maxLineSearchEvaluations);
    }

    /** Returns these settings with another curvature epsilon for skipping history updates. */
    public LbfgsSettings withCurvatureEpsilon(double value) {
        return new LbfgsSettings(historySize, maxIterations, maxEvaluations, gradientTolerance,
                relativeFunctionTolerance, sufficientDecrease, curvature, value, maxLineSearchEvaluations);
    }

    /** Returns these settings with another per-line-search evaluation limit. */
    public LbfgsSettings withMaxLineSearchEvaluations(int value) {
        return new LbfgsSettings(historySize, maxIterations, maxEvaluations, gradientTolerance,
                relativeFunctionTolerance, sufficientDecrease, curvature, curvatureEpsilon, value);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
