package pinn.runtime;

/**
 * Put-call parity for European options without dividends, P = C − S + K·e^{−rτ}, applied to the
 * price and every Greek. It is exact, so the network learns calls only and puts follow.
 */
public final class PutCallParity {

    private PutCallParity() {}

    /** The put with the same spot, strike, expiry τ (years) and rate r as {@code call}. */
    public static Valuation put(Valuation call, double spot, double strike, double expiry, double rate) {
        double discountedStrike = strike * Math.exp(-rate * expiry);
        return new Valuation(
                call.price() - spot + discountedStrike,
                call.delta() - 1,
                call.gamma(),
                call.theta() + rate * discountedStrike,       // −∂/∂τ of K·e^{−rτ}
                call.vega(),
                call.rho() - expiry * discountedStrike);      // ∂/∂r of K·e^{−rτ}
    }
}
