package pinn.runtime;

/**
 * Put-call parity for European options without dividends, P = C − S + K·e^{−rτ}, applied to the
 * price and every Greek. It is exact, so the network learns calls only and puts follow. Delta
 * drops by one; gamma and vega are the call's.
 */
public final class PutCallParity {

    private PutCallParity() {}

    /** The put with the same spot, strike, expiry τ (years) and rate r as {@code call}. */
    public static Valuation put(Valuation call, double spot, double strike, double expiry, double rate) {
        double discountedStrike = strike * Math.exp(-rate * expiry);
        return new Valuation(
                putPrice(call.price(), spot, discountedStrike),
                call.delta() - 1,
                call.gamma(),
                putTheta(call.theta(), rate, discountedStrike),
                call.vega(),
                putRho(call.rho(), expiry, discountedStrike));
    }

    /** P = C − S + K·e^{−rτ}, given the discounted strike K·e^{−rτ}. */
    static double putPrice(double callPrice, double spot, double discountedStrike) {
        return callPrice - spot + discountedStrike;
    }

    /** The put's theta: the call's plus −∂/∂τ of K·e^{−rτ}. */
    static double putTheta(double callTheta, double rate, double discountedStrike) {
        return callTheta + rate * discountedStrike;
    }

    /** The put's rho: the call's plus ∂/∂r of K·e^{−rτ}. */
    static double putRho(double callRho, double expiry, double discountedStrike) {
        return callRho - expiry * discountedStrike;
    }
}
