package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The analytic Black-Scholes oracle and the normal distribution under it.
 *
 * <p>Reference values marked "mpmath" were computed independently from the closed forms in
 * 50-digit arithmetic (Python mpmath 1.3, inputs taken as the exact doubles used here).
 * Properties run over the project's market box: S/K in [0.3, 3], τ in [0.005, 3] years,
 * σ in [0.02, 1.0], r in [0, 0.15], K in [1, 200].
 */
class BlackScholesTest {

    /** One generated option; S = moneyness · K so the box is stated in S/K. */
    record Market(OptionType type, double moneyness, double expiry, double vol, double rate,
            double strike) {
        double spot() {
            return moneyness * strike;
        }

        Valuation value() {
            return BlackScholes.value(type, spot(), strike, expiry, rate, vol);
        }

        double priceAt(double spot, double expiry, double vol, double rate) {
            return BlackScholes.value(type, spot, strike, expiry, rate, vol).price();
        }

        /** σ√τ: the width, in log-spot, over which prices change shape. */
        double volSqrtExpiry() {
            return vol * Math.sqrt(expiry);
        }
    }

    /** The parts of a market that are not a continuous ratio: which option, and its scale. */
    record Contract(OptionType type, double strike) {
    }

    private static final Gen<Market> MARKETS = Generate.enumValues(OptionType.class)
            .zip(doubles().between(1.0, 200.0), Contract::new)
            .zip(doubles().between(0.3, 3.0), doubles().between(0.005, 3.0),
                    doubles().between(0.02, 1.0), doubles().between(0.0, 0.15),
                    (contract, moneyness, expiry, vol, rate) -> new Market(contract.type(),
                            moneyness, expiry, vol, rate, contract.strike()));

    // ---- textbook and reference values --------------------------------------------------------

    @Test
    void hullExampleMatchesTheTextbookAndFullPrecisionReference() {
        // Hull, Options, Futures and Other Derivatives, the worked Black-Scholes-Merton example:
        // S=42, K=40, r=10%, σ=20%, T=0.5 gives c = 4.76, p = 0.81. Full digits and Greeks: mpmath.
        Valuation call = BlackScholes.value(OptionType.CALL, 42, 40, 0.5, 0.10, 0.20);
        Valuation put = BlackScholes.value(OptionType.PUT, 42, 40, 0.5, 0.10, 0.20);
        assertEquals(4.76, call.price(), 0.005);
        assertEquals(0.81, put.price(), 0.005);
        assertValuation(new Valuation(4.759422392871533, 0.779131290942669, 0.04996267040591185,
                -4.559092194592627, 8.813415059602852, 13.982045913360281), call, 1e-14);
        assertValuation(new Valuation(0.8085993729000936, -0.22086870905733105,
                0.04996267040591185, -0.7541744965897705, 8.813415059602852, -5.042542576653999),
                put, 1e-14);
    }

    @Test
    void deepOutOfTheMoneyPricesKeepTheirRelativeDigits() {
        // mpmath references. Puts computed by parity here would have no correct digit at all
        // (e.g. 8e-13 as the difference of two numbers near 50). Tolerance 1e-12 relative: the
        // rounding of d₁,₂ alone costs about d²·ε ≈ 1e-13 at |d| ≈ 30.
        assertPrice(8.182089380816421e-13, OptionType.PUT, 100, 50, 0.25, 0.05, 0.2);
        assertPrice(4.9551018535136585e-12, OptionType.CALL, 50, 100, 0.25, 0.05, 0.2);
        assertPrice(0.00043664387145306104, OptionType.PUT, 100, 60, 1.0, 0.03, 0.15);
        assertPrice(6.993631220683866e-14, OptionType.PUT, 3, 1, 0.1, 0.0, 0.5);
        assertPrice(2.3709225315949737e-14, OptionType.CALL, 0.3, 1, 3, 0.0, 0.1);
        assertPrice(1.4340347463598646e-84, OptionType.CALL, 1, 1.5, 0.005, 0.02, 0.3);
        assertPrice(2.5636583665663223e-84, OptionType.PUT, 1, 0.3, 3, 0.15, 0.05);
        assertPrice(1.6070408478982494e-237, OptionType.CALL, 1, 2, 0.005, 0.0, 0.3);
    }

    @Test
    void deepOutOfTheMoneyGreeksKeepTheirRelativeDigits() {
        // mpmath; d₁ ≈ −20 here.
        Valuation call = BlackScholes.value(OptionType.CALL, 1, 1.5, 0.005, 0.02, 0.3);
        assertValuation(new Valuation(1.4340347463598646e-84, 1.2995300292511395e-81,
                1.1731718916817056e-78, -5.281869704556684e-80, 1.7597578375225582e-81,
                6.490479972523898e-84), call, 1e-12);
    }

    @Test
    void nearTheMoneyPricesKeepTheirDigitsWhenVolTimesSqrtExpiryIsTiny() {
        // mpmath. The textbook form S·Φ(d₁) − K·e^{−rτ}·Φ(d₂) subtracts two numbers near S/2 here
        // and keeps only about log₁₀(σ√τ/ε) digits; the first case it returns as 0.
        assertRelative(3.989422804014327e-17,
                BlackScholes.value(OptionType.CALL, 1, 1, 1e-12, 0.0, 1e-10).price(), 1e-14);
        assertRelative(0.0007978995607596444,
                BlackScholes.value(OptionType.CALL, 100, 100, 1e-8, 0.03, 0.2).price(), 1e-14);
        assertRelative(0.0007978695607596489,
                BlackScholes.value(OptionType.PUT, 100, 100, 1e-8, 0.03, 0.2).price(), 1e-14);
        assertRelative(0.003984424996532755,
                BlackScholes.value(OptionType.CALL, 100, 100.00001, 1e-6, 0.0, 0.1).price(), 1e-14);
        assertRelative(0.003984424597590674,
                BlackScholes.value(OptionType.PUT, 100, 99.99999, 1e-6, 0.0, 0.1).price(), 1e-14);
    }

    // ---- properties over the market box -------------------------------------------------------

    @Test
    void putCallParityHolds() {
        qt().forAll(MARKETS).checkAssert(m -> {
            double call = BlackScholes.value(OptionType.CALL, m.spot(), m.strike(), m.expiry(),
                    m.rate(), m.vol()).price();
            double put = BlackScholes.value(OptionType.PUT, m.spot(), m.strike(), m.expiry(),
                    m.rate(), m.vol()).price();
            double forwardIntrinsic = m.spot() - m.strike() * Math.exp(-m.rate() * m.expiry());
            assertEquals(forwardIntrinsic, call - put, 1e-12 * m.strike(), m::toString);
        });
    }

    @Test
    void pricesRespectNoArbitrageBounds() {
        qt().forAll(MARKETS).checkAssert(m -> {
            Valuation v = m.value();
            double discountedStrike = m.strike() * Math.exp(-m.rate() * m.expiry());
            double slack = 1e-13 * m.strike();
            if (m.type() == OptionType.CALL) {
                assertTrue(v.price() >= Math.max(m.spot() - discountedStrike, 0) - slack, m::toString);
                assertTrue(v.price() <= m.spot(), m::toString);
                assertTrue(v.delta() >= 0 && v.delta() <= 1, m::toString);
                assertTrue(v.rho() >= 0, m::toString);
            } else {
                assertTrue(v.price() >= Math.max(discountedStrike - m.spot(), 0) - slack, m::toString);
                assertTrue(v.price() <= discountedStrike, m::toString);
                assertTrue(v.delta() >= -1 && v.delta() <= 0, m::toString);
                assertTrue(v.rho() <= 0, m::toString);
            }
            assertTrue(v.gamma() >= 0 && v.vega() >= 0, m::toString);
        });
    }

    /*
     * Finite-difference checks. Steps follow each input's natural scale so that one setting works
     * from τ = 0.005, σ = 0.02 (prices bend over 0.0014·S) to τ = 3, σ = 1:
     *   S: h = η·S·σ√τ;  τ: h = η·τ;  σ: h = η·σ;  r: h = η·σ/√τ (a move of d by about η).
     * First derivatives: η = 1e-4 (truncation ~η², rounding ~ε·K/h ≤ 3e-9·K); each Greek is
     * compared with an absolute tolerance of 1e-7 times its natural size (its size at the money),
     * since deep out of the money the Greek itself may be far below the differencing noise.
     * Measured worst case over 2e5 samples: 16% of the tolerance (theta).
     * Gamma's second difference: η = 1e-3, tolerance 2e-6 of 1/(S·σ√τ). Its truncation error is
     * ~η²/4 of that scale at the money and its rounding ~4ε/(η²·σ√τ), so no step reaches 1e-6 at
     * σ√τ = 0.0014; measured worst case 12% of the tolerance.
     */

    @Test
    void deltaIsTheSpotDerivativeOfThePrice() {
        qt().forAll(MARKETS).checkAssert(m -> {
            double h = 1e-4 * m.spot() * m.volSqrtExpiry();
            double fd = centralDifference(s -> m.priceAt(s, m.expiry(), m.vol(), m.rate()), m.spot(), h);
            assertEquals(fd, m.value().delta(), 1e-7, m::toString);
        });
    }

    @Test
    void gammaIsTheSecondSpotDerivativeOfThePrice() {
        qt().forAll(MARKETS).checkAssert(m -> {
            double s = m.spot();
            double h = 1e-3 * s * m.volSqrtExpiry();
            DoubleUnaryOperator price = x -> m.priceAt(x, m.expiry(), m.vol(), m.rate());
            double fd = (price.applyAsDouble(s + h) - 2 * price.applyAsDouble(s)
                    + price.applyAsDouble(s - h)) / (h * h);
            double naturalGamma = 1.0 / (s * m.volSqrtExpiry());
            assertEquals(fd, m.value().gamma(), 2e-6 * naturalGamma, m::toString);
        });
    }

    @Test
    void thetaIsMinusTheExpiryDerivativeOfThePrice() {
        qt().forAll(MARKETS).checkAssert(m -> {
            double h = 1e-4 * m.expiry();
            double fd = -centralDifference(t -> m.priceAt(m.spot(), t, m.vol(), m.rate()), m.expiry(), h);
            double naturalTheta = m.spot() * m.vol() / Math.sqrt(m.expiry()) + m.rate() * m.strike();
            assertEquals(fd, m.value().theta(), 1e-7 * naturalTheta, m::toString);
        });
    }

    @Test
    void vegaIsTheVolDerivativeOfThePrice() {
        qt().forAll(MARKETS).checkAssert(m -> {
            double h = 1e-4 * m.vol();
            double fd = centralDifference(v -> m.priceAt(m.spot(), m.expiry(), v, m.rate()), m.vol(), h);
            double naturalVega = m.spot() * Math.sqrt(m.expiry());
            assertEquals(fd, m.value().vega(), 1e-7 * naturalVega, m::toString);
        });
    }

    @Test
    void rhoIsTheRateDerivativeOfThePrice() {
        qt().forAll(MARKETS).checkAssert(m -> {
            double h = 1e-4 * m.vol() / Math.sqrt(m.expiry());
            double fd = centralDifference(r -> m.priceAt(m.spot(), m.expiry(), m.vol(), r), m.rate(), h);
            double naturalRho = m.strike() * m.expiry();
            assertEquals(fd, m.value().rho(), 1e-7 * naturalRho, m::toString);
        });
    }

    @Test
    void greeksSatisfyTheBlackScholesPde() {
        // θ + ½σ²S²Γ + rSΔ − rV = 0, with θ = ∂V/∂t. The terms reach ~10·K at small τ; the
        // identity holds to rounding, far inside 1e-10·K.
        qt().forAll(MARKETS).checkAssert(m -> {
            Valuation v = m.value();
            double s = m.spot();
            double residual = v.theta() + 0.5 * m.vol() * m.vol() * s * s * v.gamma()
                    + m.rate() * s * v.delta() - m.rate() * v.price();
            assertEquals(0.0, residual, 1e-12 * m.strike(), m::toString);
        });
    }

    @Test
    void pricesAreMonotoneAndConvexInSpot() {
        qt().forAll(MARKETS, doubles().between(0.3, 3.0), doubles().between(0.0, 1.0))
                .checkAssert((m, otherMoneyness, weight) -> {
                    double k = m.strike();
                    double low = Math.min(m.moneyness(), otherMoneyness) * k;
                    double high = Math.max(m.moneyness(), otherMoneyness) * k;
                    double middle = weight * low + (1 - weight) * high;
                    DoubleUnaryOperator price = s -> m.priceAt(s, m.expiry(), m.vol(), m.rate());
                    double atLow = price.applyAsDouble(low);
                    double atMiddle = price.applyAsDouble(middle);
                    double atHigh = price.applyAsDouble(high);
                    double slack = 1e-14 * k;
                    String where = m + " S in [" + low + ", " + high + "], w=" + weight;
                    if (m.type() == OptionType.CALL) {
                        assertTrue(atLow <= atMiddle + slack && atMiddle <= atHigh + slack, where);
                    } else {
                        assertTrue(atLow + slack >= atMiddle && atMiddle + slack >= atHigh, where);
                    }
                    assertTrue(atMiddle <= weight * atLow + (1 - weight) * atHigh + slack, where);
                });
    }

    // ---- extremes -------------------------------------------------------------------------------

    @Test
    void farTailsAreFiniteAndNonNegative() {
        double strike = 100;
        for (OptionType type : OptionType.values()) {
            for (double moneyness : new double[] {0.01, 0.3, 1.0, 3.0, 100}) {
                for (double expiry : new double[] {1e-4, 0.005, 1, 30}) {
                    for (double vol : new double[] {0.02, 0.2, 1.0, 3.0}) {
                        for (double rate : new double[] {-0.02, 0.0, 0.15}) {
                            Valuation v = BlackScholes.value(type, moneyness * strike, strike,
                                    expiry, rate, vol);
                            String where = type + " S/K=" + moneyness + " τ=" + expiry + " σ=" + vol
                                    + " r=" + rate + ": " + v;
                            assertAllFinite(v, where);
                            assertTrue(v.price() >= 0 && v.gamma() >= 0 && v.vega() >= 0, where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void deepInTheMoneyIsTheDiscountedIntrinsicValue() {
        // S/K = 100, τ = 1e-4: the option part is exp(−(ln 100)²/(2σ²τ)), far below one ulp.
        double discountedStrike = 1.0 * Math.exp(-0.05 * 1e-4);
        Valuation call = BlackScholes.value(OptionType.CALL, 100, 1, 1e-4, 0.05, 0.2);
        assertEquals(100 - discountedStrike, call.price(), Math.ulp(100.0));
        assertEquals(1.0, call.delta());
        assertEquals(0.0, call.gamma());
        Valuation put = BlackScholes.value(OptionType.PUT, 0.01, 1, 1e-4, 0.05, 0.2);
        assertEquals(discountedStrike - 0.01, put.price(), Math.ulp(1.0));
        assertEquals(-1.0, put.delta());
    }

    @Test
    void vanishingVolTimesSqrtExpiryGivesTheDiscountedIntrinsicValueWithoutNaN() {
        // σ√τ = 1e-300·1e-150 underflows to 0: d₁,₂ are ±∞, or 0 exactly at the forward.
        double tinyVol = 1e-300;
        double tinyExpiry = 1e-300;
        for (double spot : new double[] {0.9, 1.0, 1.1}) {
            Valuation call = BlackScholes.value(OptionType.CALL, spot, 1, tinyExpiry, 0.05, tinyVol);
            Valuation put = BlackScholes.value(OptionType.PUT, spot, 1, tinyExpiry, 0.05, tinyVol);
            assertEquals(Math.max(spot - 1, 0), call.price(), 1e-15, "call at S=" + spot);
            assertEquals(Math.max(1 - spot, 0), put.price(), 1e-15, "put at S=" + spot);
            for (Valuation v : new Valuation[] {call, put}) {
                assertTrue(!Double.isNaN(v.delta()) && !Double.isNaN(v.gamma())
                        && !Double.isNaN(v.theta()) && !Double.isNaN(v.vega())
                        && !Double.isNaN(v.rho()), v::toString);
            }
        }
        // Small but representable σ√τ = 1e-16 at the money: price ≈ S·σ√τ/√(2π).
        Valuation atTheMoney = BlackScholes.value(OptionType.CALL, 1, 1, 1e-12, 0.0, 1e-10);
        assertEquals(1e-16 / Math.sqrt(2 * Math.PI), atTheMoney.price(), 1e-30);
        assertEquals(0.5, atTheMoney.delta(), 1e-15);
        assertAllFinite(atTheMoney, atTheMoney.toString());
    }

    // ---- inputs ------------------------------------------------------------------------------

    @Test
    void invalidInputsAreRejectedNamingTheField() {
        double[] badPositives = {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double bad : badPositives) {
            assertRejected("spot", () -> BlackScholes.value(OptionType.CALL, bad, 1, 1, 0.05, 0.2));
            assertRejected("strike", () -> BlackScholes.value(OptionType.CALL, 1, bad, 1, 0.05, 0.2));
            assertRejected("expiry", () -> BlackScholes.value(OptionType.PUT, 1, 1, bad, 0.05, 0.2));
            assertRejected("vol", () -> BlackScholes.value(OptionType.PUT, 1, 1, 1, 0.05, bad));
        }
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertRejected("rate", () -> BlackScholes.value(OptionType.CALL, 1, 1, 1, bad, 0.2));
        }
        assertRejected("rate", () -> BlackScholes.value(OptionType.CALL, 1, 1, 10, -100, 0.2));
        assertThrows(NullPointerException.class, () -> BlackScholes.value(null, 1, 1, 1, 0, 0.2));
        // Negative rates are legal.
        assertAllFinite(BlackScholes.value(OptionType.PUT, 1, 1, 1, -0.01, 0.2), "negative rate");
    }

    @Test
    void optionTypeParsesLenientlyAndNamesBadValues() {
        assertEquals(OptionType.CALL, OptionType.parse("call"));
        assertEquals(OptionType.CALL, OptionType.parse("CALL"));
        assertEquals(OptionType.PUT, OptionType.parse(" Put "));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> OptionType.parse("straddle"));
        assertTrue(bad.getMessage().contains("\"straddle\""), bad.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OptionType.parse(null));
        assertTrue(missing.getMessage().contains("null"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptionType.parse(""));
    }

    // ---- the normal distribution -------------------------------------------------------------

    @Test
    void normalCdfMatchesReferenceValuesToFullPrecision() {
        // mpmath, 50 digits. Relative tolerance 1e-14 (the implementation reaches about 1e-15).
        assertEquals(0.5, NormalDistribution.normalCdf(0.0));
        assertRelative(0.97500210485177956586, NormalDistribution.normalCdf(1.96), 1e-14);
        assertRelative(0.024997895148220434137, NormalDistribution.normalCdf(-1.96), 1e-14);
        assertRelative(0.84134474606854294859, NormalDistribution.normalCdf(1.0), 1e-14);
        assertRelative(0.38208857781104736269, NormalDistribution.normalCdf(-0.3), 1e-14);
        assertRelative(0.61791142218895263731, NormalDistribution.normalCdf(0.3), 1e-14);
        assertRelative(0.30853753872598689636, NormalDistribution.normalCdf(-0.5), 1e-14);
        assertRelative(2.8665157187919391167e-7, NormalDistribution.normalCdf(-5.0), 1e-14);
        assertRelative(0.99999971334842812081, NormalDistribution.normalCdf(5.0), 1e-14);
        assertRelative(7.619853024160526066e-24, NormalDistribution.normalCdf(-10.0), 1e-14);
        assertRelative(2.7536241186062336951e-89, NormalDistribution.normalCdf(-20.0), 1e-14);
        assertRelative(5.7255712225245768227e-300, NormalDistribution.normalCdf(-37.0), 1e-14);
        // Φ(−38) = 2.885…e-316 is subnormal: the format holds ~8 digits; expect the nearest one.
        assertEquals(2.8854283600687843084e-316, NormalDistribution.normalCdf(-38.0), Double.MIN_VALUE);
        assertEquals(0.0, NormalDistribution.normalCdf(-40.0));
        assertEquals(1.0, NormalDistribution.normalCdf(9.0));
        assertEquals(0.0, NormalDistribution.normalCdf(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, NormalDistribution.normalCdf(Double.POSITIVE_INFINITY));
        assertTrue(Double.isNaN(NormalDistribution.normalCdf(Double.NaN)));
    }

    @Test
    void normalPdfMatchesReferenceValuesToFullPrecision() {
        // mpmath, 50 digits.
        assertRelative(0.39894228040143267794, NormalDistribution.normalPdf(0.0), 1e-15);
        assertRelative(0.2419707245191433498, NormalDistribution.normalPdf(-1.0), 1e-14);
        assertRelative(0.05844094433345146032, NormalDistribution.normalPdf(1.96), 1e-14);
        assertRelative(7.6945986267064193463e-23, NormalDistribution.normalPdf(10.0), 1e-14);
        assertRelative(2.1200065515246056269e-298, NormalDistribution.normalPdf(-37.0), 1e-14);
        assertEquals(0.0, NormalDistribution.normalPdf(40.0));
    }

    @Test
    void normalCdfIsSymmetricAndItsDerivativeIsThePdf() {
        qt().forAll(doubles().between(-37.0, 8.0)).checkAssert(x -> {
            assertEquals(1.0, NormalDistribution.normalCdf(x) + NormalDistribution.normalCdf(-x), 3e-16,
                    () -> "x=" + x);
            // Differentiate the lower tail, where Φ is small and keeps its relative digits (near
            // Φ = 1 the difference would drown in the ulps of 1). Step 1e-4/|t| keeps truncation
            // (~h²t²/6) and rounding (~ε/(h|t|)) near 1e-9.
            double t = -Math.abs(x);
            double h = 1e-4 / Math.max(1.0, -t);
            double slope = centralDifference(NormalDistribution::normalCdf, t, h);
            assertRelative(NormalDistribution.normalPdf(t), slope, 1e-8);
        });
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static double centralDifference(DoubleUnaryOperator f, double x, double h) {
        return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
    }

    private static void assertPrice(double expected, OptionType type, double spot, double strike,
            double expiry, double rate, double vol) {
        assertRelative(expected, BlackScholes.value(type, spot, strike, expiry, rate, vol).price(), 1e-12);
    }

    private static void assertValuation(Valuation expected, Valuation actual, double relative) {
        String[] names = {"price", "delta", "gamma", "theta", "vega", "rho"};
        double[] want = components(expected);
        double[] got = components(actual);
        assertAll(IntStream.range(0, names.length).mapToObj(i -> () ->
                assertEquals(want[i], got[i], relative * Math.abs(want[i]), names[i])));
    }

    private static double[] components(Valuation v) {
        return new double[] {v.price(), v.delta(), v.gamma(), v.theta(), v.vega(), v.rho()};
    }

    private static void assertRelative(double expected, double actual, double relative) {
        assertEquals(expected, actual, relative * Math.abs(expected),
                () -> "relative error " + Math.abs(actual - expected) / Math.abs(expected));
    }

    private static void assertAllFinite(Valuation v, String where) {
        assertTrue(Double.isFinite(v.price()) && Double.isFinite(v.delta())
                && Double.isFinite(v.gamma()) && Double.isFinite(v.theta())
                && Double.isFinite(v.vega()) && Double.isFinite(v.rho()), where);
    }

    private static void assertRejected(String field, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().startsWith(field + " ") || e.getMessage().contains(" " + field + " "),
                () -> "message should name " + field + ": " + e.getMessage());
    }
}
