package pinn.runtime.accuracy;

import pinn.runtime.Valuation;

/**
 * What the accuracy report compares: the call price and its five Greeks, each as a number per unit
 * strike so one target serves every strike.
 *
 * <p>By homogeneity V(S, K, τ, σ, r) = K · v(S/K, τ, σ, r), so |ΔV|/K, delta, gamma·K, theta/K,
 * vega/K and rho/K do not depend on K. The report prices at K = 1, where each of these is just the
 * {@link Valuation} field itself; the labels keep the normalisation visible.
 */
public enum Quantity {
    /** V/K: the price per unit strike, dimensionless. */
    PRICE("price"),
    /** ∂V/∂S: dimensionless, the same for every strike. */
    DELTA("delta"),
    /** K·∂²V/∂S²: gamma per unit of S times K, dimensionless. */
    GAMMA("gamma·K"),
    /** (∂V/∂t)/K: calendar-time decay per year per unit strike. */
    THETA("theta/K"),
    /** (∂V/∂σ)/K: per 1.00 of σ, per unit strike. */
    VEGA("vega/K"),
    /** (∂V/∂r)/K: per 1.00 of r, per unit strike. */
    RHO("rho/K");

    private final String label;

    Quantity(String label) {
        this.label = label;
    }

    /** The name in tables and plots, with its normalisation by K: "price", "gamma·K", ... */
    public String label() {
        return label;
    }

    /** Whether this is one of the five Greeks, which are measured only away from expiry. */
    public boolean isGreek() {
        return this != PRICE;
    }

    /** This quantity's value in a strike-1 valuation. */
    public double of(Valuation valuation) {
        return switch (this) {
            case PRICE -> valuation.price();
            case DELTA -> valuation.delta();
            case GAMMA -> valuation.gamma();
            case THETA -> valuation.theta();
            case VEGA -> valuation.vega();
            case RHO -> valuation.rho();
        };
    }
}
