package pinn.runtime;

import java.util.Objects;

/**
 * The analytic Black-Scholes-Merton value of a European call or put on a non-dividend-paying
 * underlying, with its five Greeks in closed form.
 *
 * <p>It is the project's test oracle and last-resort fallback, never training data. Units follow
 * GUIDE.md: spot and strike in currency, expiry τ in years, rate r (continuously compounded) and
 * volatility σ as decimals; the Greeks are those of {@link Valuation}.
 *
 * <p>Numerics. With x = ln(F/K) = ln(S/K) + rτ, s = σ√τ and d₁,₂ = x/s ± s/2, every Greek is a
 * product of positive factors and one of {@link NormalDistribution#normalCdf Φ} or
 * {@link NormalDistribution#normalPdf φ}, both accurate to a few ulp in the far tails. The price
 * is the only difference, S·Φ(d₁) − K·e^{−rτ}·Φ(d₂) (call) or K·e^{−rτ}·Φ(−d₂) − S·Φ(−d₁) (put),
 * and it is never evaluated in that form, which cancels in three places:
 * <ul>
 *   <li>out of the money (both d on the far side of 0, one beyond 1), where the two legs are
 *       nearly equal tail probabilities: they share the Gaussian factor S·φ(d₁) = K·e^{−rτ}·φ(d₂),
 *       which is taken out so the difference acts on Mills' ratios. Puts are computed this way
 *       in their own right, never by put-call parity from a call (which would leave a deep
 *       out-of-the-money put as the difference of two numbers near K);
 *   <li>in the money, where the price is the forward intrinsic value plus the other type's
 *       out-of-the-money value: a sum of two non-negative terms;
 *   <li>near the money (|d| ≤ 1, or d₂ &lt; 0 ≤ d₁), where Φ(d₁) − Φ(d₂) is formed from
 *       Φ(d) − ½ and e^x − 1 by expm1, so an at-the-money price stays accurate when σ√τ is 1e-16
 *       (the textbook form returns 0 there).
 * </ul>
 * x itself is formed with log1p near S = K. What remains is the problem's own conditioning: a
 * relative error of a few ε times the larger of 1 + d² (how the rounding of d moves Φ(d) and
 * φ(d)) and, for the price, |S·Δ/V| (its relative sensitivity to S, about 1/(σ√τ) near the
 * money). Measured against 50-digit references: ≤ 1e-15 in ordinary cases, ~1e-13 at |d| ≈ 30
 * where the price is below 1e-80 of the strike.
 */
public final class BlackScholes {

    private BlackScholes() {
    }

    /**
     * Prices one European option and computes its Greeks.
     *
     * @param type call or put
     * @param spot underlying price S, currency; finite and &gt; 0
     * @param strike strike K, currency; finite and &gt; 0
     * @param expiry time to expiry τ, years; finite and &gt; 0
     * @param rate continuously compounded risk-free rate r, decimal (0.05 = 5%); finite, may be
     *     negative
     * @param vol volatility σ, decimal per √year (0.20 = 20%); finite and &gt; 0
     * @return price and Greeks in the units of {@link Valuation}; never NaN for valid inputs
     * @throws IllegalArgumentException naming the first invalid field, or rate and expiry when
     *     strike·e^{−rτ} is not a normal double (|r·τ| in the hundreds)
     * @throws NullPointerException if {@code type} is null
     */
    public static Valuation value(
            OptionType type, double spot, double strike, double expiry, double rate, double vol) {
        Objects.requireNonNull(type, "type");
        requirePositive("spot", spot);
        requirePositive("strike", strike);
        requirePositive("expiry", expiry);
        if (!Double.isFinite(rate)) {
            throw new IllegalArgumentException("rate must be finite, got " + rate);
        }
        requirePositive("vol", vol);

        double sqrtExpiry = Math.sqrt(expiry);
        double volSqrtExpiry = vol * sqrtExpiry;
        double discountedStrike = strike * Math.exp(-rate * expiry);
        if (!(discountedStrike >= Double.MIN_NORMAL && discountedStrike < Double.POSITIVE_INFINITY)) {
            // Only for |r·τ| in the hundreds: K·e^{−rτ} would over- or underflow into NaN prices.
            throw new IllegalArgumentException("rate " + rate + " over expiry " + expiry
                    + " makes the discounted strike strike·exp(−rate·expiry) leave the double range");
        }
        double logForwardMoneyness = logRatio(spot, strike) + rate * expiry; // ln(F/K)
        // At the forward, ln(F/K) = 0 stays 0 even if σ√τ has underflowed (0/0 would be NaN).
        double standardisedMoneyness =
                logForwardMoneyness == 0.0 ? 0.0 : logForwardMoneyness / volSqrtExpiry;
        double d1 = standardisedMoneyness + 0.5 * volSqrtExpiry;
        double d2 = standardisedMoneyness - 0.5 * volSqrtExpiry;

        // S·φ(d₁) = K·e^{−rτ}·φ(d₂). A zero density means gamma, vega and theta's decay are 0, even
        // where σ√τ is so small that their closed forms would read 0/0.
        double density = NormalDistribution.normalPdf(d1);
        double spotDensity = spot * density;
        double gamma = density == 0.0 ? 0.0 : density / (spot * volSqrtExpiry);
        double vega = spotDensity * sqrtExpiry;
        double timeDecay = spotDensity == 0.0 ? 0.0 : -spotDensity * vol / (2.0 * sqrtExpiry);

        double price = price(type, spot, discountedStrike, logForwardMoneyness, d1, d2, spotDensity);

        return switch (type) {
            case CALL -> {
                double strikeLeg = discountedStrike * NormalDistribution.normalCdf(d2);
                yield new Valuation(price, NormalDistribution.normalCdf(d1), gamma,
                        timeDecay - rate * strikeLeg, vega, expiry * strikeLeg);
            }
            case PUT -> {
                double strikeLeg = discountedStrike * NormalDistribution.normalCdf(-d2);
                yield new Valuation(price, -NormalDistribution.normalCdf(-d1), gamma,
                        timeDecay + rate * strikeLeg, vega, -expiry * strikeLeg);
            }
        };
    }

    /**
     * The option price, from whichever of three exact rearrangements of the closed form avoids
     * cancellation where (d₁, d₂) lie; see the class comment. Never negative.
     */
    private static double price(OptionType type, double spot, double discountedStrike,
            double logForwardMoneyness, double d1, double d2, double spotDensity) {
        boolean straddlesZero = d2 < 0.0 && d1 >= 0.0;
        boolean nearTheMoney = straddlesZero || (d1 <= 1.0 && d2 >= -1.0);
        double price;
        if (nearTheMoney) {
            // K·e^{−rτ}·[Φ(d₁) − Φ(d₂) ± (e^x − 1)·Φ(±d₁)], with Φ(d₁) − Φ(d₂) from the halves.
            double middleProbability = NormalDistribution.normalCdfMinusHalf(d1)
                    - NormalDistribution.normalCdfMinusHalf(d2);
            double forwardExcess = Math.expm1(logForwardMoneyness);
            price = discountedStrike * (type == OptionType.CALL
                    ? middleProbability + forwardExcess * NormalDistribution.normalCdf(d1)
                    : middleProbability - forwardExcess * NormalDistribution.normalCdf(-d1));
        } else {
            // Both d on one side of 0 and one beyond ±1: the out-of-the-money type's value is the
            // Gaussian-factored difference, the in-the-money type's is intrinsic plus that.
            boolean callInTheMoney = d2 >= 0.0;
            double timeValue = callInTheMoney
                    ? outOfTheMoney(spotDensity, d2, d1)
                    : outOfTheMoney(spotDensity, -d1, -d2);
            boolean inTheMoney = callInTheMoney == (type == OptionType.CALL);
            double intrinsic = forwardIntrinsic(spot, discountedStrike, logForwardMoneyness);
            price = inTheMoney
                    ? (type == OptionType.CALL ? intrinsic : -intrinsic) + timeValue
                    : timeValue;
        }
        return Math.max(0.0, price); // every form is ≥ 0 mathematically; clamp last-ulp rounding
    }

    /**
     * The time value of an out-of-the-money option, S·Φ(−z₁) − K·e^{−rτ}·Φ(−z₂) with
     * 0 ≤ z₁ &lt; z₂ = z₁ + σ√τ (z = −d for a call, z₁ = d₂, z₂ = d₁ for a put). Both legs share
     * the factor S·φ(z₁) = K·e^{−rτ}·φ(z₂), so it equals S·φ(z₁)·(M(z₁) − M(z₂)) with M Mills'
     * ratio. Forming Φ(−z₁), Φ(−z₂) first would amplify the rounding of z by about z² before the
     * cancellation; here that only scales the common factor, and the cancellation acts on M values
     * good to a few ulp.
     */
    private static double outOfTheMoney(double spotDensity, double z1, double z2) {
        if (spotDensity == 0.0) {
            return 0.0; // also where σ√τ underflowed and z is infinite
        }
        return spotDensity * (NormalDistribution.millsRatio(z1) - NormalDistribution.millsRatio(z2));
    }

    /**
     * S − K·e^{−rτ}. Near the forward it is K·e^{−rτ}·(e^x − 1), free of the cancellation of two
     * numbers near K; far from it (|x| ≥ 1, S/(K·e^{−rτ}) outside (1/e, e)) the plain difference
     * is exact to an ulp while the exponential form would carry x's rounding.
     */
    private static double forwardIntrinsic(double spot, double discountedStrike, double logForwardMoneyness) {
        return Math.abs(logForwardMoneyness) < 1.0
                ? discountedStrike * Math.expm1(logForwardMoneyness)
                : spot - discountedStrike;
    }

    private static void requirePositive(String field, double value) {
        if (!(Double.isFinite(value) && value > 0.0)) {
            throw new IllegalArgumentException(field + " must be finite and > 0, got " + value);
        }
    }

    /**
     * ln(a/b) to a few ulp of the result itself. Near a = b it is log1p((a − b)/b), where a − b
     * is exact (Sterbenz) and so a moneyness of 1 ± 1e-7 keeps all its digits; ln of the rounded
     * quotient would carry an absolute error of one ulp of 1, i.e. 1e-9 relative there. Far
     * apart, ln a − ln b avoids an over- or underflowing quotient.
     */
    private static double logRatio(double a, double b) {
        if (a >= 0.5 * b && a <= 2.0 * b) {
            return Math.log1p((a - b) / b);
        }
        double ratio = a / b;
        if (ratio >= Double.MIN_NORMAL && ratio < Double.POSITIVE_INFINITY) {
            return Math.log(ratio);
        }
        return Math.log(a) - Math.log(b);
    }
}
