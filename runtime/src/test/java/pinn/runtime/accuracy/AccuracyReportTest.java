package pinn.runtime.accuracy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinn.runtime.accuracy.OraclePricers.DOMAIN;
import static pinn.runtime.accuracy.OraclePricers.adjusted;
import static pinn.runtime.accuracy.OraclePricers.withDelta;
import static pinn.runtime.accuracy.OraclePricers.withGamma;
import static pinn.runtime.accuracy.OraclePricers.withPrice;
import static pinn.runtime.accuracy.OraclePricers.withVega;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pinn.runtime.CallPricer;
import pinn.runtime.Valuation;

/** The accuracy report: errors against the oracle, where they are measured, targets and output. */
class AccuracyReportTest {

    private static final AccuracyGrid GRID = AccuracyGrid.over(DOMAIN);
    private static final double MIN_EXPIRY = AccuracyReport.DEFAULT_GREEKS_MIN_EXPIRY;

    /** A stand-in for a trained network: small smooth errors in every output, largest near K. */
    private static final CallPricer NETWORK_LIKE = adjusted((m, t, v, r, exact) -> new Valuation(
            exact.price() + 4e-4 * Math.exp(-8 * (m - 1) * (m - 1)) * Math.sqrt(t),
            exact.delta() + 3e-3 * Math.sin(5 * m + t),
            exact.gamma() + 1e-2 * Math.cos(3 * v),
            exact.theta() - 2e-3 * r,
            exact.vega() + 1e-3 * t,
            exact.rho() * (1 - 1e-3)));

    @Test
    void theOracleAsPricerHasNoErrorAndMeetsEveryTarget() {
        AccuracyReport report = AccuracyReport.evaluate(OraclePricers.exact(), GRID);
        int greekPoints = 0;
        for (double t : GRID.expiry()) {
            greekPoints += t >= MIN_EXPIRY ? 41 * 9 * 5 : 0;
        }
        assertEquals(75_645, report.pointCount());
        for (Quantity quantity : Quantity.values()) {
            QuantityError error = report.error(quantity);
            assertEquals(0.0, error.relativeL2(), quantity.label());
            assertEquals(0.0, error.maxAbsError(), quantity.label());
            assertEquals(0.0, error.surface().max(), quantity.label());
            assertEquals(quantity.isGreek() ? greekPoints : 75_645, error.pointCount());
            assertTrue(report.meets(quantity), quantity.label());
        }
        assertTrue(report.meetsTargets());
        assertTrue(report.summaryLine().endsWith("| all targets met"), report.summaryLine());
        assertFalse(report.format().contains("FAIL"), report.format());
    }

    @Test
    void aConstantPriceBiasIsTheMaxErrorAndGivesTheHandComputedRelativeL2() {
        double bias = 1e-3;
        AccuracyReport report = AccuracyReport.evaluate(
                adjusted((m, t, v, r, exact) -> withPrice(exact, exact.price() + bias)), GRID);

        double sumSquaredPrices = 0.0;
        for (Valuation exact : OraclePricers.exactAll(GRID.points())) {
            sumSquaredPrices += exact.price() * exact.price();
        }
        double handRelativeL2 = Math.sqrt(GRID.size() * bias * bias) / Math.sqrt(sumSquaredPrices);

        QuantityError price = report.error(Quantity.PRICE);
        assertEquals(bias, price.maxAbsError(), 1e-15);
        assertEquals(handRelativeL2, price.relativeL2(), 1e-9 * handRelativeL2);
        // The bias is within the max target (2e-3) but, prices being ~0.4 on average, not the L2 one.
        assertTrue(price.relativeL2() > 1e-3, () -> "relL2 " + price.relativeL2());
        assertFalse(report.meets(Quantity.PRICE));
        for (Quantity greek : new Quantity[] {Quantity.DELTA, Quantity.GAMMA, Quantity.THETA,
                Quantity.VEGA, Quantity.RHO}) {
            assertEquals(0.0, report.error(greek).maxAbsError(), greek.label());
            assertTrue(report.meets(greek), greek.label());
        }
        assertFalse(report.meetsTargets());
    }

    @Test
    void deltaErrorsBelowTheGreeksMinimumExpiryDoNotCount() {
        CallPricer nearExpiryOnly = adjusted((m, t, v, r, exact) ->
                t < MIN_EXPIRY ? withDelta(exact, exact.delta() + 0.5) : exact);
        AccuracyReport report = AccuracyReport.evaluate(nearExpiryOnly, GRID);

        QuantityError delta = report.error(Quantity.DELTA);
        assertEquals(0.0, delta.maxAbsError());
        assertEquals(0.0, delta.relativeL2());
        assertTrue(report.meets(Quantity.DELTA));
        assertTrue(delta.worst().expiry() >= MIN_EXPIRY, delta.worst()::toString);
        // The heat-map surface still shows them, in the near-expiry rows only.
        double[] expiry = GRID.expiry();
        for (int j = 0; j < expiry.length; j++) {
            double expected = expiry[j] < MIN_EXPIRY ? 0.5 : 0.0;
            assertEquals(expected, delta.surface().at(20, j), 1e-15, "τ " + expiry[j]);
        }

        // Measured from τ = 0 they do count.
        AccuracyReport fromExpiry = AccuracyReport.evaluate(nearExpiryOnly, GRID,
                AccuracyTargets.DEFAULT, 0.0, AccuracyReport.DEFAULT_CHUNK_SIZE);
        assertEquals(0.5, fromExpiry.error(Quantity.DELTA).maxAbsError(), 1e-15);
        assertFalse(fromExpiry.meets(Quantity.DELTA));
        assertEquals(GRID.size(), fromExpiry.error(Quantity.DELTA).pointCount());
    }

    @Test
    void deltaErrorsFromTheGreeksMinimumExpiryOnDoCount() {
        double firstMeasured = firstExpiryAtLeast(MIN_EXPIRY);
        AccuracyReport report = AccuracyReport.evaluate(adjusted((m, t, v, r, exact) ->
                t == firstMeasured ? withDelta(exact, exact.delta() - 0.02) : exact), GRID);
        assertEquals(0.02, report.error(Quantity.DELTA).maxAbsError(), 1e-15);
        assertFalse(report.meets(Quantity.DELTA));
        assertEquals(firstMeasured, report.error(Quantity.DELTA).worst().expiry());
    }

    @Test
    void theWorstPointIsWhereTheLargestErrorIs() {
        double[] m = GRID.moneyness();
        double[] t = GRID.expiry();
        double[] vol = GRID.vol();
        double[] rate = GRID.rate();
        // Small errors everywhere, one large one at a chosen node.
        AccuracyReport report = AccuracyReport.evaluate(adjusted((mm, tt, vv, rr, exact) -> {
            boolean chosen = mm == m[7] && tt == t[30] && vv == vol[3] && rr == rate[2];
            Valuation v = withPrice(exact, exact.price() + (chosen ? 5e-3 : 1e-4 * mm));
            return withGamma(v, v.gamma() + (chosen ? -0.2 : 0.0));
        }), GRID);

        Valuation exact = OraclePricers.exact(m[7], t[30], vol[3], rate[2]);
        for (Quantity quantity : new Quantity[] {Quantity.PRICE, Quantity.GAMMA}) {
            WorstPoint worst = report.error(quantity).worst();
            assertAll(quantity.label(),
                    () -> assertEquals(m[7], worst.moneyness()),
                    () -> assertEquals(t[30], worst.expiry()),
                    () -> assertEquals(vol[3], worst.vol()),
                    () -> assertEquals(rate[2], worst.rate()),
                    () -> assertEquals(quantity.of(exact), worst.oracle()),
                    () -> assertEquals(report.error(quantity).maxAbsError(), worst.absError()),
                    () -> assertEquals(report.error(quantity).surface().max(),
                            report.error(quantity).surface().at(7, 30)));
        }
        assertEquals(exact.price() + 5e-3, report.error(Quantity.PRICE).worst().model());
        assertEquals(0.2, report.error(Quantity.GAMMA).maxAbsError(), 1e-12);
        assertTrue(report.format().contains(String.format(java.util.Locale.ROOT, "S/K %.4f tau %.4f y",
                m[7], t[30])), report.format());
    }

    @Test
    void chunkingGivesTheSameReportBitForBitAndBoundsEachPricerCall() {
        AccuracyGrid grid = AccuracyGrid.over(DOMAIN, 21, 21, 5, 3);
        AccuracyReport whole = AccuracyReport.evaluate(NETWORK_LIKE, grid, AccuracyTargets.DEFAULT,
                MIN_EXPIRY, grid.size());
        for (int chunkSize : new int[] {1, 7, 1000, 4096, AccuracyReport.DEFAULT_CHUNK_SIZE}) {
            AtomicInteger largestCall = new AtomicInteger();
            CallPricer counting = points -> {
                largestCall.accumulateAndGet(points.size(), Math::max);
                return NETWORK_LIKE.priceCalls(points);
            };
            AccuracyReport chunked = AccuracyReport.evaluate(counting, grid, AccuracyTargets.DEFAULT,
                    MIN_EXPIRY, chunkSize);
            assertEquals(whole, chunked, "chunk size " + chunkSize);
            assertTrue(largestCall.get() <= chunkSize, "chunk size " + chunkSize);
        }
        // The default grid in default chunks too (75,645 points = 9 full chunks and a partial one).
        AccuracyReport defaultChunks = AccuracyReport.evaluate(NETWORK_LIKE, GRID);
        assertEquals(AccuracyReport.evaluate(NETWORK_LIKE, GRID, AccuracyTargets.DEFAULT, MIN_EXPIRY,
                GRID.size()), defaultChunks);
    }

    @Test
    void nonFiniteModelValuesAreInfiniteErrorsThatFail() {
        double[] m = GRID.moneyness();
        AccuracyReport report = AccuracyReport.evaluate(adjusted((mm, t, v, r, exact) ->
                mm == m[3] && t >= 1.0 ? withVega(exact, Double.NaN) : exact), GRID);
        QuantityError vega = report.error(Quantity.VEGA);
        assertEquals(Double.POSITIVE_INFINITY, vega.maxAbsError());
        assertEquals(Double.POSITIVE_INFINITY, vega.relativeL2());
        assertTrue(Double.isNaN(vega.worst().model()));
        assertEquals(Double.POSITIVE_INFINITY, vega.surface().at(3, 40));
        assertFalse(report.meets(Quantity.VEGA));
        assertTrue(report.meets(Quantity.PRICE));
        assertTrue(report.summaryLine().endsWith("| targets missed: vega/K"), report.summaryLine());
    }

    @Test
    void theTableNamesEveryQuantityWithItsTargetAndVerdict() {
        AccuracyReport report = AccuracyReport.evaluate(adjusted((m, t, v, r, exact) ->
                withDelta(exact, exact.delta() + 0.05)), GRID);
        String table = report.format();
        String[] lines = table.split("\n");
        assertEquals(1 + 1 + Quantity.values().length + 1, lines.length, table);
        assertTrue(lines[0].contains("75645 grid points"), lines[0]);
        assertTrue(lines[1].startsWith("quantity  rel L2     max abs    target"), lines[1]);
        for (Quantity quantity : Quantity.values()) {
            String row = lines[2 + quantity.ordinal()];
            assertTrue(row.startsWith(quantity.label()), row);
            assertTrue(row.contains(quantity == Quantity.DELTA ? "  FAIL  " : "  PASS  "), row);
            assertTrue(row.contains("max<=" + String.format(java.util.Locale.ROOT, "%.1e",
                    AccuracyTargets.DEFAULT.maxAbsTarget(quantity))), row);
        }
        assertTrue(lines[2].contains("relL2<=1.0e-03, max<=2.0e-03"), lines[2]);
        assertTrue(lines[3].contains("5.00e-02"), lines[3]); // delta's max error
        assertEquals("targets missed: delta", lines[lines.length - 1]);
        // Fixed width: the verdicts line up.
        int column = lines[2].indexOf("PASS");
        for (int row = 3; row < 2 + Quantity.values().length; row++) {
            assertEquals(column, Math.max(lines[row].indexOf("PASS"), lines[row].indexOf("FAIL")),
                    lines[row]);
        }
    }

    @Test
    void theSummaryLineGivesThePriceAndEachGreekInOrder() {
        AccuracyReport report = AccuracyReport.evaluate(NETWORK_LIKE, GRID);
        String line = report.summaryLine();
        assertTrue(line.matches("price relL2 \\d\\.\\de-\\d\\d max \\d\\.\\de-\\d\\d \\| delta \\S+ \\| "
                + "gamma·K \\S+ \\| theta/K \\S+ \\| vega/K \\S+ \\| rho/K \\S+ \\| all targets met"), line);
        assertTrue(report.meetsTargets(), report::format);
    }

    @Test
    void targetsDefaultToTheProjectsBoundsAndAnErrorOnTheBoundPasses() {
        AccuracyTargets targets = AccuracyTargets.DEFAULT;
        assertAll(
                () -> assertEquals(1e-3, targets.relativeL2Target(Quantity.PRICE)),
                () -> assertEquals(2e-3, targets.maxAbsTarget(Quantity.PRICE)),
                () -> assertEquals(1e-2, targets.maxAbsTarget(Quantity.DELTA)),
                () -> assertEquals(5e-2, targets.maxAbsTarget(Quantity.GAMMA)),
                () -> assertEquals(1e-2, targets.maxAbsTarget(Quantity.THETA)),
                () -> assertEquals(1e-2, targets.maxAbsTarget(Quantity.VEGA)),
                () -> assertEquals(1e-2, targets.maxAbsTarget(Quantity.RHO)),
                () -> assertEquals(Double.POSITIVE_INFINITY, targets.relativeL2Target(Quantity.DELTA)));
        ErrorSurface surface = new ErrorSurface(new double[] {1}, new double[] {1}, new double[][] {{0}});
        WorstPoint point = new WorstPoint(1, 1, 0.2, 0.01, 0.0, 0.0);
        assertTrue(targets.meets(new QuantityError(Quantity.PRICE, 1, 1e-3, 2e-3, point, surface)));
        assertFalse(targets.meets(new QuantityError(Quantity.PRICE, 1, 1.0001e-3, 0, point, surface)));
        assertFalse(targets.meets(new QuantityError(Quantity.GAMMA, 1, 0, Double.NaN, point, surface)));
        assertThrows(IllegalArgumentException.class, () -> new AccuracyTargets(-1, 1, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new AccuracyTargets(1, 1, 1, Double.NaN, 1, 1, 1));
        AccuracyTargets lax = new AccuracyTargets(Double.POSITIVE_INFINITY, 1, 1, 1, 1, 1, 1);
        assertTrue(lax.meets(new QuantityError(Quantity.PRICE, 1, 1e9, 0.5, point, surface)));
    }

    @Test
    void aPricerBreakingItsContractOrBadSettingsAreReported() {
        CallPricer tooFew = points -> new Valuation[points.size() - 1];
        var wrongCount = assertThrows(IllegalStateException.class,
                () -> AccuracyReport.evaluate(tooFew, GRID));
        assertTrue(wrongCount.getMessage().contains("one valuation per point"), wrongCount::getMessage);
        CallPricer holes = points -> new Valuation[points.size()];
        assertThrows(IllegalStateException.class, () -> AccuracyReport.evaluate(holes, GRID));
        CallPricer exact = OraclePricers.exact();
        assertThrows(IllegalArgumentException.class,
                () -> AccuracyReport.evaluate(exact, GRID, AccuracyTargets.DEFAULT, MIN_EXPIRY, 0));
        assertThrows(IllegalArgumentException.class,
                () -> AccuracyReport.evaluate(exact, GRID, AccuracyTargets.DEFAULT, -0.1, 100));
        assertThrows(IllegalArgumentException.class,
                () -> AccuracyReport.evaluate(exact, GRID, AccuracyTargets.DEFAULT, Double.NaN, 100));
        var noGreeks = assertThrows(IllegalArgumentException.class,
                () -> AccuracyReport.evaluate(exact, GRID, AccuracyTargets.DEFAULT, 3.0, 100));
        assertTrue(noGreeks.getMessage().contains("no Greek would be compared"), noGreeks::getMessage);
    }

    @Test
    void theReportIsAValue() {
        AccuracyReport report = AccuracyReport.evaluate(NETWORK_LIKE, AccuracyGrid.over(DOMAIN, 5, 5, 2, 2));
        assertEquals(Quantity.values().length, report.errors().size());
        assertThrows(UnsupportedOperationException.class, () -> report.errors().clear());
        double[][] cells = report.error(Quantity.PRICE).surface().maxAbsError();
        double before = cells[0][0];
        cells[0][0] = 99;
        assertEquals(before, report.error(Quantity.PRICE).surface().at(0, 0));
        assertNotNull(report.toString());
    }

    private static double firstExpiryAtLeast(double minExpiry) {
        for (double t : GRID.expiry()) {
            if (t >= minExpiry) {
                return t;
            }
        }
        throw new AssertionError("no expiry node at or above " + minExpiry);
    }
}
