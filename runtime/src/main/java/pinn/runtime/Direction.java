package pinn.runtime;

/**
 * An input along which the network's price is differentiated in forward mode. The second
 * derivative is always taken along {@link #MONEYNESS}, which must come first in a direction list.
 */
public enum Direction {
    /** ∂/∂m, m = S/K. */
    MONEYNESS,
    /** ∂/∂τ, τ in years. */
    EXPIRY,
    /** ∂/∂σ. */
    VOL,
    /** ∂/∂r. */
    RATE
}
