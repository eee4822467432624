package pinn.runtime;

/**
 * A batch of points of the pricing problem in strike units: moneyness m = S/K, time to expiry τ
 * in years, volatility σ and rate r as decimals (0.20, 0.05). By homogeneity,
 * V(S, K, τ, σ, r) = K · v(S/K, τ, σ, r), so these four numbers are all the network sees.
 *
 * <p>The arrays are shared, not copied: batches are large and built for one call. Callers must
 * not change them while a computation reads them.
 *
 * @param moneyness S/K, dimensionless, > 0
 * @param expiry τ in years, > 0
 * @param vol σ per √year, > 0
 * @param rate r per year, continuously compounded
 */
public record OptionPoints(double[] moneyness, double[] expiry, double[] vol, double[] rate) {

    public OptionPoints {
        int n = moneyness.length;
        if (expiry.length != n || vol.length != n || rate.length != n) {
            throw new IllegalArgumentException("moneyness, expiry, vol and rate must have one length, were "
                    + n + ", " + expiry.length + ", " + vol.length + ", " + rate.length);
        }
    }

    /** The number of points. */
    public int size() {
        return moneyness.length;
    }
}
