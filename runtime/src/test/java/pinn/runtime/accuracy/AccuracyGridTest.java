package pinn.runtime.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static pinn.runtime.accuracy.OraclePricers.DOMAIN;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import pinn.runtime.OptionPoints;
import pinn.runtime.model.Domain;

/** The accuracy grid: node placement, point order, chunks and validation. */
class AccuracyGridTest {

    @Test
    void theDefaultGridHas41By41By9By5PointsSpanningTheDomain() {
        AccuracyGrid grid = AccuracyGrid.over(DOMAIN);
        assertEquals(41 * 41 * 9 * 5, grid.size());
        assertEquals(75_645, grid.size());
        assertEquals(0.5, grid.moneyness()[0]);
        assertEquals(2.0, grid.moneyness()[40]);
        assertEquals(2.0, grid.expiry()[40]);
        assertEquals(0.05, grid.vol()[0]);
        assertEquals(0.8, grid.vol()[8]);
        assertArrayEquals(new double[] {-0.01, 0.0175, 0.045, 0.0725, 0.1}, grid.rate(), 1e-15);
    }

    @Test
    void expiryNodesAreUniformInTheSquareRootOfExpiry() {
        double[] expiry = AccuracyGrid.over(new Domain(0.5, 2, 0.04, 1.0, 0.1, 0.5, 0, 0.05),
                3, 5, 2, 2).expiry();
        // √τ: 0.2, 0.4, 0.6, 0.8, 1.0
        assertArrayEquals(new double[] {0.04, 0.16, 0.36, 0.64, 1.0}, expiry, 1e-15);
    }

    @Test
    void aZeroExpiryOrVolBoundMovesToHalfTheFirstStepButAZeroRateStays() {
        AccuracyGrid grid = AccuracyGrid.over(new Domain(0.5, 2, 0.0, 2.0, 0.0, 0.8, 0.0, 0.1),
                3, 41, 9, 3);
        double halfRootStep = 0.5 * Math.sqrt(2.0) / 40;
        assertEquals(halfRootStep * halfRootStep, grid.expiry()[0], 1e-18);
        assertEquals(Math.pow(Math.sqrt(2.0) / 40, 2), grid.expiry()[1], 1e-16);
        assertEquals(0.05, grid.vol()[0], 1e-16); // half of the 0.1 step
        assertEquals(0.1, grid.vol()[1], 1e-16);
        assertEquals(0.0, grid.rate()[0]);
        // With the default 41 nodes on [0, 2] y the shortest expiry is about 0.11 days.
        assertEquals(3.1e-4, grid.expiry()[0], 1e-5);
    }

    @Test
    void aSingleNodeSitsMidRangeAndADegenerateRangeGivesOneNode() {
        AccuracyGrid grid = AccuracyGrid.over(new Domain(1.0, 1.0, 0.25, 1.0, 0.2, 0.4, 0.03, 0.03),
                5, 1, 1, 4);
        assertArrayEquals(new double[] {1.0}, grid.moneyness());
        assertArrayEquals(new double[] {0.5625}, grid.expiry(), 1e-15); // √τ midway: 0.75²
        assertArrayEquals(new double[] {0.30000000000000004}, grid.vol(), 1e-15);
        assertArrayEquals(new double[] {0.03}, grid.rate());
        assertEquals(1, grid.size());
    }

    @Test
    void pointsAreNumberedMoneynessOutermostThenExpiryVolRate() {
        AccuracyGrid grid = AccuracyGrid.over(DOMAIN, 4, 3, 2, 5);
        OptionPoints all = grid.points();
        int point = 0;
        for (double m : grid.moneyness()) {
            for (double t : grid.expiry()) {
                for (double v : grid.vol()) {
                    for (double r : grid.rate()) {
                        assertEquals(m, all.moneyness()[point]);
                        assertEquals(t, all.expiry()[point]);
                        assertEquals(v, all.vol()[point]);
                        assertEquals(r, all.rate()[point]);
                        assertEquals(m, grid.moneyness()[grid.moneynessIndex(point)]);
                        assertEquals(t, grid.expiry()[grid.expiryIndex(point)]);
                        point++;
                    }
                }
            }
        }
        assertEquals(grid.size(), point);
    }

    @Test
    void aChunkIsTheSliceOfAllPoints() {
        AccuracyGrid grid = AccuracyGrid.over(DOMAIN, 7, 6, 3, 2);
        OptionPoints all = grid.points();
        OptionPoints chunk = grid.points(100, 177);
        assertEquals(77, chunk.size());
        assertArrayEquals(Arrays.copyOfRange(all.moneyness(), 100, 177), chunk.moneyness());
        assertArrayEquals(Arrays.copyOfRange(all.expiry(), 100, 177), chunk.expiry());
        assertArrayEquals(Arrays.copyOfRange(all.vol(), 100, 177), chunk.vol());
        assertArrayEquals(Arrays.copyOfRange(all.rate(), 100, 177), chunk.rate());
        assertEquals(0, grid.points(5, 5).size());
        assertThrows(IndexOutOfBoundsException.class, () -> grid.points(-1, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> grid.points(0, grid.size() + 1));
    }

    @Test
    void anyDomainGivesStrictlyIncreasingNodesInsideItWhereTheOracleIsDefined() {
        Gen<Domain> domains = doubles().between(0.05, 1.5).zip(
                doubles().between(0.0, 3.0).map(w -> w < 0.01 ? 0.0 : w), // none absurdly thin
                doubles().between(0.0, 2.0), doubles().between(0.001, 3.0),
                (minMoneyness, moneynessWidth, minExpiry, expiryWidth) -> new Domain(
                        minMoneyness, minMoneyness + moneynessWidth, minExpiry, minExpiry + expiryWidth,
                        0.0, 0.6, -0.02, 0.08));
        qt().withExamples(200).forAll(domains, integers().between(1, 45), integers().between(1, 45))
                .checkAssert((domain, nm, nt) -> {
                    AccuracyGrid grid = AccuracyGrid.over(domain, nm, nt, 3, 2);
                    double[] m = grid.moneyness();
                    double[] t = grid.expiry();
                    assertEquals(domain.minMoneyness() == domain.maxMoneyness() ? 1 : nm, m.length, domain::toString);
                    assertEquals(nt, t.length, domain::toString);
                    assertEquals(m.length * t.length * 3 * 2, grid.size());
                    for (int j = 0; j < t.length; j++) {
                        assertTrue(t[j] > 0.0, domain::toString);
                        assertTrue(j == 0 || t[j] > t[j - 1], domain::toString);
                    }
                    OptionPoints all = grid.points();
                    for (int p = 0; p < all.size(); p++) {
                        assertTrue(domain.contains(all.moneyness()[p], all.expiry()[p], all.vol()[p],
                                all.rate()[p]), domain + " point " + p);
                        assertTrue(all.vol()[p] > 0.0);
                    }
                    if (nt > 1) { // both ends of the expiry range are on the grid, up to τ = 0
                        assertEquals(domain.maxExpiry(), t[nt - 1]);
                        if (domain.minExpiry() > 0) {
                            assertEquals(domain.minExpiry(), t[0]);
                        }
                    }
                    // The oracle accepts every point (it throws on τ or σ of 0).
                    OraclePricers.exactAll(all);
                });
    }

    @Test
    void theGridIsImmutableAndComparedByValue() {
        double[] m = {0.9, 1.0, 1.1};
        AccuracyGrid grid = new AccuracyGrid(m, new double[] {0.5}, new double[] {0.2}, new double[] {0.01});
        m[0] = 0.1;
        grid.moneyness()[1] = 7.0;
        assertArrayEquals(new double[] {0.9, 1.0, 1.1}, grid.moneyness());
        AccuracyGrid same = new AccuracyGrid(new double[] {0.9, 1.0, 1.1}, new double[] {0.5},
                new double[] {0.2}, new double[] {0.01});
        assertEquals(same, grid);
        assertEquals(same.hashCode(), grid.hashCode());
        assertNotEquals(AccuracyGrid.over(DOMAIN), grid);
        assertTrue(grid.toString().contains("3 points"), grid::toString);
    }

    @Test
    void invalidNodesAndCountsAreRejectedWithTheirReason() {
        double[] one = {0.5};
        assertThrows(IllegalArgumentException.class,
                () -> new AccuracyGrid(new double[] {1.0, 1.0}, one, one, one), "not increasing");
        assertThrows(IllegalArgumentException.class,
                () -> new AccuracyGrid(new double[0], one, one, one), "empty");
        var zeroExpiry = assertThrows(IllegalArgumentException.class,
                () -> new AccuracyGrid(one, new double[] {0.0, 0.5}, one, one));
        assertTrue(zeroExpiry.getMessage().contains("expiry node 0 must be finite and > 0"),
                zeroExpiry::getMessage);
        assertThrows(IllegalArgumentException.class,
                () -> new AccuracyGrid(one, one, one, new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> AccuracyGrid.over(DOMAIN, 0, 41, 9, 5));
        var noExpiry = assertThrows(IllegalArgumentException.class,
                () -> AccuracyGrid.over(new Domain(0.5, 2, 0, 0, 0.1, 0.5, 0, 0.05)));
        assertTrue(noExpiry.getMessage().contains("no point above 0"), noExpiry::getMessage);
        assertThrows(IllegalArgumentException.class,
                () -> AccuracyGrid.over(DOMAIN, 50_000, 50_000, 9, 5), "over 2^31 points");
    }
}
