package pinn.runtime.model;

/**
 * The region of contract and market parameters the model was trained on, and so the region in
 * which its prices can be trusted. Bounds are inclusive.
 *
 * @param minMoneyness lowest moneyness S/K (dimensionless), finite and &gt; 0
 * @param maxMoneyness highest moneyness S/K
 * @param minExpiry    shortest time to expiry τ, in years, finite and &ge; 0
 * @param maxExpiry    longest time to expiry τ, in years
 * @param minVol       lowest volatility σ, a decimal per √year (0.20 = 20%), finite and &ge; 0
 * @param maxVol       highest volatility σ
 * @param minRate      lowest risk-free rate r, a decimal per year (0.05 = 5%), finite, may be negative
 * @param maxRate      highest risk-free rate r
 */
public record Domain(double minMoneyness, double maxMoneyness,
                     double minExpiry, double maxExpiry,
                     double minVol, double maxVol,
                     double minRate, double maxRate) {

    public Domain {
        checkRange("moneyness", minMoneyness, maxMoneyness);
        checkRange("expiry", minExpiry, maxExpiry);
        checkRange("vol", minVol, maxVol);
        checkRange("rate", minRate, maxRate);
        if (!(minMoneyness > 0)) throw new IllegalArgumentException("minMoneyness must be > 0, was " + minMoneyness);
        if (!(minExpiry >= 0)) throw new IllegalArgumentException("minExpiry must be >= 0, was " + minExpiry);
        if (!(minVol >= 0)) throw new IllegalArgumentException("minVol must be >= 0, was " + minVol);
    }

    private static void checkRange(String what, double min, double max) {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException(what + " bounds must be finite, were [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException(what + " bounds are reversed: min " + min + " > max " + max);
        }
    }

    /**
     * Whether the point lies inside the domain, bounds included. NaN is never inside.
     *
     * @param moneyness S/K, dimensionless
     * @param expiry    τ, in years
     * @param vol       σ, a decimal
     * @param rate      r, a decimal
     */
    public boolean contains(double moneyness, double expiry, double vol, double rate) {
        return moneyness >= minMoneyness && moneyness <= maxMoneyness
                && expiry >= minExpiry && expiry <= maxExpiry
                && vol >= minVol && vol <= maxVol
                && rate >= minRate && rate <= maxRate;
    }
}
