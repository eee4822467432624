package pinn.runtime.accuracy;

/**
 * The grid point where a quantity's absolute error is largest, with both values there, in the
 * units of {@link Quantity} (per unit strike).
 *
 * @param moneyness S/K, dimensionless
 * @param expiry τ in years
 * @param vol σ, decimal per √year
 * @param rate r, decimal per year
 * @param model the pricer's value (NaN or infinite if that is what it returned)
 * @param oracle the analytic Black-Scholes value
 */
public record WorstPoint(double moneyness, double expiry, double vol, double rate,
        double model, double oracle) {

    /** |model − oracle|; infinite when the model value is not finite. */
    public double absError() {
        return errorBetween(model, oracle);
    }

    /**
     * The report's one definition of a point's error: |model − oracle|, or +∞ where the model value
     * is NaN or infinite, so a broken output fails every target instead of vanishing from a max.
     */
    static double errorBetween(double model, double oracle) {
        return Double.isFinite(model) ? Math.abs(model - oracle) : Double.POSITIVE_INFINITY;
    }
}
