package pinn.runtime.train;

/** Why an {@link Lbfgs} run ended. The first two mean it converged by its own criteria. */
public enum LbfgsStopReason {
    /** The gradient norm fell to {@link LbfgsSettings#gradientTolerance()} or below. */
    GRADIENT_TOLERANCE,
    /** One step lowered the value by no more than {@link LbfgsSettings#relativeFunctionTolerance()} of it. */
    FUNCTION_TOLERANCE,
    /** The callback asked to stop. */
    STOPPED_BY_CALLBACK,
    /** {@link LbfgsSettings#maxIterations()} steps were taken. */
    MAX_ITERATIONS,
    /** {@link LbfgsSettings#maxEvaluations()} function evaluations were spent. */
    MAX_EVALUATIONS,
    /**
     * No step along the quasi-Newton direction, nor then along steepest descent, lowered the value
     * enough; usually the point is a minimum to the precision the function is computed with.
     */
    LINE_SEARCH_FAILED,
    /** The value or gradient at the start point is NaN or infinite, so there is nowhere to go from. */
    NON_FINITE_START
}
