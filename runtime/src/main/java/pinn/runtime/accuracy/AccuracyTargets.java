package pinn.runtime.accuracy;

import java.util.Objects;

/**
 * The accuracy a trained network must reach against the analytic oracle, per unit strike (see
 * {@link Quantity}). Every target is an upper bound on an error; {@code Double.POSITIVE_INFINITY}
 * means "no target". Only the price has a relative L2 target; the Greeks are bounded by their
 * largest absolute error, measured where τ is at least the report's {@code greeksMinExpiry}.
 *
 * @param priceRelativeL2 bound on ‖V_model − V_oracle‖₂ / ‖V_oracle‖₂ over the grid, dimensionless
 * @param priceMaxAbs bound on max |ΔV|/K, dimensionless (per unit strike)
 * @param deltaMaxAbs bound on max |Δ delta|, dimensionless
 * @param gammaMaxAbs bound on max |Δ gamma|·K, dimensionless
 * @param thetaMaxAbs bound on max |Δ theta|/K, per year
 * @param vegaMaxAbs bound on max |Δ vega|/K, per 1.00 of σ
 * @param rhoMaxAbs bound on max |Δ rho|/K, per 1.00 of r
 */
public record AccuracyTargets(double priceRelativeL2, double priceMaxAbs, double deltaMaxAbs,
        double gammaMaxAbs, double thetaMaxAbs, double vegaMaxAbs, double rhoMaxAbs) {

    /**
     * The project's targets: price relative L2 ≤ 1e-3 and max |ΔV|/K ≤ 2e-3; delta ≤ 1e-2;
     * gamma·K ≤ 5e-2; theta/K, vega/K and rho/K ≤ 1e-2.
     */
    public static final AccuracyTargets DEFAULT =
            new AccuracyTargets(1e-3, 2e-3, 1e-2, 5e-2, 1e-2, 1e-2, 1e-2);

    public AccuracyTargets {
        for (Quantity quantity : Quantity.values()) {
            double target = switch (quantity) {
                case PRICE -> Math.min(priceRelativeL2, priceMaxAbs);
                case DELTA -> deltaMaxAbs;
                case GAMMA -> gammaMaxAbs;
                case THETA -> thetaMaxAbs;
                case VEGA -> vegaMaxAbs;
                case RHO -> rhoMaxAbs;
            };
            if (!(target >= 0.0)) {
                throw new IllegalArgumentException("the " + quantity.label()
                        + " targets must be >= 0 (infinity for none), were " + target);
            }
        }
    }

    /** The bound on the largest absolute error of {@code quantity}, per unit strike. */
    public double maxAbsTarget(Quantity quantity) {
        return switch (quantity) {
            case PRICE -> priceMaxAbs;
            case DELTA -> deltaMaxAbs;
            case GAMMA -> gammaMaxAbs;
            case THETA -> thetaMaxAbs;
            case VEGA -> vegaMaxAbs;
            case RHO -> rhoMaxAbs;
        };
    }

    /** The bound on the relative L2 error of {@code quantity}; infinite (none) for the Greeks. */
    public double relativeL2Target(Quantity quantity) {
        return quantity == Quantity.PRICE ? priceRelativeL2 : Double.POSITIVE_INFINITY;
    }

    /** Whether {@code error} is within both of its quantity's bounds. A NaN error never is. */
    public boolean meets(QuantityError error) {
        Objects.requireNonNull(error, "error");
        return error.relativeL2() <= relativeL2Target(error.quantity())
                && error.maxAbsError() <= maxAbsTarget(error.quantity());
    }
}
