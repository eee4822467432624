package pinn.runtime.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of an {@link Lbfgs} run: the best point reached and how the run went. Immutable: the
 * point is copied in and copied out.
 *
 * @param point the final point, the lowest-valued one accepted (the start if no step was taken)
 * @param value the function value there
 * @param gradientNorm the Euclidean norm of the gradient there
 * @param iterations accepted steps
 * @param evaluations function evaluations, the start point's included
 * @param stopReason why the run ended
 */
public record LbfgsResult(
        double[] point,
        double value,
        double gradientNorm,
        int iterations,
        int evaluations,
        LbfgsStopReason stopReason) {

    /** Copies the point so later changes to the caller's array cannot reach this result. */
    public LbfgsResult {
        point = point.clone();
        Objects.requireNonNull(stopReason, "stopReason");
    }

    /** Returns a copy of the final point. */
    @Override
    public double[] point() {
        return point.clone();
    }

    /** Tells whether the run stopped on its gradient or function-change tolerance. */
    public boolean converged() {
        return stopReason == LbfgsStopReason.GRADIENT_TOLERANCE
                || stopReason == LbfgsStopReason.FUNCTION_TOLERANCE;
    }

    /** Equal when every field is, the point compared element by element with bit-exact doubles. */
    @Override
    public boolean equals(Object other) {
        return other instanceof LbfgsResult that
                && Arrays.equals(point, that.point)
                && Double.compare(value, that.value) == 0
                && Double.compare(gradientNorm, that.gradientNorm) == 0
                && iterations == that.iterations
                && evaluations == that.evaluations
                && stopReason == that.stopReason;
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(point);
        hash = 31 * hash + Double.hashCode(value);
        hash = 31 * hash + Double.hashCode(gradientNorm);
        hash = 31 * hash + iterations;
        hash = 31 * hash + evaluations;
        return 31 * hash + stopReason.hashCode();
    }

    /** Shows the counts and the reason, and the point only by its dimension (it may be 1e5 long). */
    @Override
    public String toString() {
        return "LbfgsResult[dimension=" + point.length + ", value=" + value + ", gradientNorm=" + gradientNorm
                + ", iterations=" + iterations + ", evaluations=" + evaluations + ", stopReason=" + stopReason + "]";
    }
}
