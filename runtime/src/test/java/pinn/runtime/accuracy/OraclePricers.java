package pinn.runtime.accuracy;

import pinn.runtime.BlackScholes;
import pinn.runtime.CallPricer;
import pinn.runtime.OptionPoints;
import pinn.runtime.OptionType;
import pinn.runtime.Valuation;
import pinn.runtime.model.Domain;

/** Pricers built from the oracle itself, exact or with known errors, to test the report against. */
final class OraclePricers {

    /** The domain of the project's hand-made model files: τ and its lower bound 0 included. */
    static final Domain DOMAIN = new Domain(0.5, 2.0, 0.0, 2.0, 0.05, 0.8, -0.01, 0.1);

    /** A change applied to the exact valuation at one point. */
    @FunctionalInterface
    interface Adjustment {
        Valuation apply(double moneyness, double expiry, double vol, double rate, Valuation exact);
    }

    private OraclePricers() {
    }

    /** The strike-1 Black-Scholes call, point by point. */
    static Valuation exact(double moneyness, double expiry, double vol, double rate) {
        return BlackScholes.value(OptionType.CALL, moneyness, 1.0, expiry, rate, vol);
    }

    /** The oracle as a pricer: every error is exactly 0. */
    static CallPricer exact() {
        return adjusted((m, t, v, r, exact) -> exact);
    }

    /** The oracle with {@code adjustment} applied at every point. */
    static CallPricer adjusted(Adjustment adjustment) {
        return points -> {
            Valuation[] out = new Valuation[points.size()];
            for (int k = 0; k < out.length; k++) {
                double m = points.moneyness()[k];
                double t = points.expiry()[k];
                double v = points.vol()[k];
                double r = points.rate()[k];
                out[k] = adjustment.apply(m, t, v, r, exact(m, t, v, r));
            }
            return out;
        };
    }

    static Valuation withPrice(Valuation v, double price) {
        return new Valuation(price, v.delta(), v.gamma(), v.theta(), v.vega(), v.rho());
    }

    static Valuation withDelta(Valuation v, double delta) {
        return new Valuation(v.price(), delta, v.gamma(), v.theta(), v.vega(), v.rho());
    }

    static Valuation withGamma(Valuation v, double gamma) {
        return new Valuation(v.price(), v.delta(), gamma, v.theta(), v.vega(), v.rho());
    }

    static Valuation withVega(Valuation v, double vega) {
        return new Valuation(v.price(), v.delta(), v.gamma(), v.theta(), vega, v.rho());
    }

    /** Every point of {@code points} priced exactly, for hand computations. */
    static Valuation[] exactAll(OptionPoints points) {
        return exact().priceCalls(points);
    }
}
