package pinn.runtime.accuracy;

import java.util.Objects;

/**
 * How far a pricer is from the oracle for one {@link Quantity}, per unit strike, over the points
 * where that quantity is measured (all grid points for the price; those with τ ≥
 * {@code greeksMinExpiry} for the Greeks).
 *
 * @param quantity what was compared
 * @param pointCount how many grid points were compared
 * @param relativeL2 ‖model − oracle‖₂ / ‖oracle‖₂ over those points, dimensionless; +∞ if any model
 *     value was not finite
 * @param maxAbsError the largest |model − oracle|, in the quantity's units per unit strike
 * @param worst where {@code maxAbsError} occurs (the first such point in grid order)
 * @param surface the largest error per (S/K, τ) cell over all τ nodes, for heat maps
 */
public record QuantityError(Quantity quantity, int pointCount, double relativeL2,
        double maxAbsError, WorstPoint worst, ErrorSurface surface) {

    public QuantityError {
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(worst, "worst");
        Objects.requireNonNull(surface, "surface");
        if (pointCount < 1) {
            throw new IllegalArgumentException(quantity.label() + " was compared at " + pointCount
                    + " points; at least one is needed");
        }
    }
}
