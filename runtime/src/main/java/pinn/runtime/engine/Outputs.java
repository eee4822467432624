package pinn.runtime.engine;

/** What a request asks for: the price alone (about a quarter of the work) or the price and the five Greeks. */
public enum Outputs {
    /** The price only; the Greeks of the result are NaN unless the analytic formula produced it. */
    PRICE,
    /** The price, delta, gamma, theta, vega and rho. */
    PRICE_AND_GREEKS;

    boolean greeks() {
        return this == PRICE_AND_GREEKS;
    }
}
