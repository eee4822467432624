package pinn.runtime.train;

/**
 * A scalar function of many variables together with its gradient, evaluated in one call because
 * a PINN loss and its gradient come from the same forward and backward pass.
 *
 * <p>Implementations must not modify {@code point}; they must overwrite every element of
 * {@code gradientOut} (its length equals the point's). Returning NaN or ±Infinity, or writing
 * non-finite gradient elements, is allowed: {@link Lbfgs} reads it as "this step went too far"
 * and shrinks the step.
 */
@FunctionalInterface
public interface DifferentiableFunction {

    /**
     * Evaluates the function and its gradient.
     *
     * @param point the variables; read only, and only valid during the call (the optimiser reuses it)
     * @param gradientOut receives ∂f/∂point, same length as {@code point}
     * @return f(point)
     */
    double valueAndGradient(double[] point, double[] gradientOut);
}
