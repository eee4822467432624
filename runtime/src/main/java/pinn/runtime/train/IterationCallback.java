package pinn.runtime.train;

/**
 * Hears about each completed {@link Lbfgs} iteration, for progress bars, logging, checkpoints and
 * interruption (Ctrl-C): returning {@code false} stops the run after this iteration with
 * {@link LbfgsStopReason#STOPPED_BY_CALLBACK}. A Ctrl-C handler, for example, sets a flag that the
 * callback reads: {@code (iteration, value, gradientNorm) -> !interrupted.get()}.
 *
 * <p>It sees the iterate's value and gradient norm, not the point: a checkpoint writer gets the
 * parameters from the function it passed to {@link Lbfgs}, or from the {@link LbfgsResult} once
 * the run has stopped. Exceptions thrown here end the run and propagate to the caller.
 */
@FunctionalInterface
public interface IterationCallback {

    /** A callback that never stops the run. */
    IterationCallback NONE = (iteration, value, gradientNorm) -> true;

    /**
     * Called once after every accepted step, on the optimiser's thread.
     *
     * @param iteration steps accepted so far, 1 for the first
     * @param value the function value at the new point
     * @param gradientNorm the Euclidean norm of the gradient at the new point
     * @return {@code true} to continue, {@code false} to stop
     */
    boolean afterIteration(int iteration, double value, double gradientNorm);
}
