package pinn.runtime.engine;

import pinn.runtime.ValuationColumns;

/**
 * A result checked against the equation it must satisfy: the Black-Scholes residual
 * θ + ½σ²S²Γ + rSΔ − rV, computed from the Greeks already in hand and divided by the strike K, so
 * that one tolerance (per year, in units of K) serves every strike. A network result above the
 * tolerance is replaced by the analytic one. Results without Greeks cannot be checked.
 *
 * @param tolerance the largest accepted |residual| / K, per year
 */
public record SelfCheck(double tolerance) {

    /**
     * The default, 1e-2 per year: nine times the largest residual of the default model over its
     * domain (1.1e-3 on the {@code ./pinn accuracy} grid, median 3.2e-5), so it rejects none of
     * the domain, while a broken network (wrong weights, NaN) fails it. It was set at four times
     * the largest residual of the 2 → 64×4 → 1 model shipped before (2.5e-3), and a model of that
     * quality must still pass.
     */
    public static final SelfCheck DEFAULT = new SelfCheck(1e-2);

    public SelfCheck {
        if (!(tolerance > 0)) throw new IllegalArgumentException("self-check tolerance must be > 0, was " + tolerance);
    }

    /** |θ + ½σ²S²Γ + rSΔ − rV| / K for the option with these inputs whose result is at {@code i} of {@code results}. */
    public static double residual(double spot, double strike, double rate, double vol, ValuationColumns results, int i) {
        double r = results.theta(i) + 0.5 * vol * vol * spot * spot * results.gamma(i)
                + rate * spot * results.delta(i) - rate * results.price(i);
        return Math.abs(r) / strike;
    }

    /** Whether that result passes; NaN (a broken result) never does. */
    public boolean passes(double spot, double strike, double rate, double vol, ValuationColumns results, int i) {
        return residual(spot, strike, rate, vol, results, i) <= tolerance;
    }
}
