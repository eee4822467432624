package pinn.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import pinn.runtime.OptionPoints;
import pinn.runtime.model.Domain;

/**
 * Where the residual is sampled.
 *
 * <p>Specification checked, for the training domain {@code Collocation.widen(DEFAULT_DOMAIN)}:
 * <ul>
 *   <li>interior points lie in the training domain's τ, σ and r ranges (bounds included, to 1e-12
 *       relative for rounding) and have |z| ≤ 8, z = (ln m + rτ)/(σ√τ);
 *   <li>boundary points have |z| = 8 to 1e-9, half with z = +8 and half with z = −8, and lie in
 *       the same ranges;
 *   <li>the same seed gives the same points bit for bit, a different seed different ones, and
 *       successive draws continue the sequence rather than repeat it;
 *   <li>resampling draws distinct candidates, and prefers large residuals: with residual 100 on
 *       a marked 10% of the candidates (1 elsewhere), the marked share of 200 points chosen from
 *       1000 is above 25% (the weights r²/mean(r²) + 1 are about 11 and 1, which give it about 40%
 *       when drawn without replacement; 10% would mean no preference).
 * </ul>
 */
class CollocationTest {

    private static final Domain TRAINING = Collocation.widen(TrainingConfig.DEFAULT_DOMAIN);

    private static double z(OptionPoints p, int i) {
        double tau = p.expiry()[i];
        return (Math.log(p.moneyness()[i]) + p.rate()[i] * tau) / (p.vol()[i] * Math.sqrt(tau));
    }

    /** x ∈ [min, max], bounds included, allowing 1e-12 of the bound for the rounding of a derived input (τ = (w/σ)²). */
    private static boolean within(double x, double min, double max) {
        return x >= min - 1e-12 * Math.abs(min) && x <= max + 1e-12 * Math.abs(max);
    }

    private static String at(OptionPoints p, int i) {
        return "point " + i + ": m " + p.moneyness()[i] + ", τ " + p.expiry()[i] + ", σ " + p.vol()[i] + ", r " + p.rate()[i];
    }

    @Test
    void interiorPointsLieInTheTrainingDomainWithinTheZBoundary() {
        qt().withExamples(20).forAll(longs().all()).checkAssert(seed -> {
            Collocation collocation = new Collocation(TRAINING, seed);
            for (int draw = 0; draw < 2; draw++) {
                OptionPoints p = collocation.interior(512);
                assertEquals(512, p.size());
                for (int i = 0; i < p.size(); i++) {
                    double tau = p.expiry()[i], vol = p.vol()[i], rate = p.rate()[i];
                    assertTrue(within(tau, TRAINING.minExpiry(), TRAINING.maxExpiry()), "τ of " + at(p, i));
                    assertTrue(within(vol, TRAINING.minVol(), TRAINING.maxVol()), "σ of " + at(p, i));
                    assertTrue(within(rate, TRAINING.minRate(), TRAINING.maxRate()), "r of " + at(p, i));
                    assertTrue(p.moneyness()[i] > 0 && Double.isFinite(p.moneyness()[i]), "m of " + at(p, i));
                    assertTrue(Math.abs(z(p, i)) <= Collocation.Z_BOUNDARY + 1e-9, "z " + z(p, i) + " of " + at(p, i));
                }
            }
        });
    }

    @Test
    void trainingDomainWidensTheServedOne() {
        Domain served = TrainingConfig.DEFAULT_DOMAIN;
        assertTrue(TRAINING.minExpiry() < served.minExpiry() && TRAINING.maxExpiry() > served.maxExpiry());
        assertTrue(TRAINING.minVol() < served.minVol() && TRAINING.maxVol() > served.maxVol());
        assertTrue(TRAINING.minRate() <= served.minRate() && TRAINING.maxRate() > served.maxRate());
        assertTrue(TRAINING.minMoneyness() < served.minMoneyness() && TRAINING.maxMoneyness() > served.maxMoneyness());
    }

    @Test
    void boundaryPointsSitAtTheZBoundaryHalfOnEachSide() {
        qt().withExamples(20).forAll(longs().all()).checkAssert(seed -> {
            OptionPoints p = new Collocation(TRAINING, seed).boundary(256);
            int above = 0;
            for (int i = 0; i < p.size(); i++) {
                double z = z(p, i);
                assertEquals(Collocation.Z_BOUNDARY, Math.abs(z), 1e-9, "|z| of " + at(p, i));
                if (z > 0) above++;
                assertTrue(within(p.expiry()[i], TRAINING.minExpiry(), TRAINING.maxExpiry()), "τ of " + at(p, i));
                assertTrue(within(p.vol()[i], TRAINING.minVol(), TRAINING.maxVol()), "σ of " + at(p, i));
                assertTrue(within(p.rate()[i], TRAINING.minRate(), TRAINING.maxRate()), "r of " + at(p, i));
            }
            assertEquals(128, above);
        });
    }

    @Test
    void sameSeedSamePointsDifferentSeedDifferentPoints() {
        OptionPoints a = new Collocation(TRAINING, 42).interior(300), b = new Collocation(TRAINING, 42).interior(300);
        OptionPoints c = new Collocation(TRAINING, 43).interior(300);
        assertSamePoints(a, b);
        assertFalse(sharesAnyPoint(a, c), "seeds 42 and 43 drew a common interior point");

        OptionPoints ba = new Collocation(TRAINING, 42).boundary(64), bb = new Collocation(TRAINING, 42).boundary(64);
        assertSamePoints(ba, bb);
        assertFalse(sharesAnyPoint(ba, new Collocation(TRAINING, 43).boundary(64)), "seeds 42 and 43 drew a common boundary point");
    }

    @Test
    void successiveDrawsContinueTheSequence() {
        Collocation collocation = new Collocation(TRAINING, 9);
        OptionPoints first = collocation.interior(256), second = collocation.interior(256);
        assertFalse(sharesAnyPoint(first, second), "the second draw repeated a point of the first");
        OptionPoints firstBoundary = collocation.boundary(64), secondBoundary = collocation.boundary(64);
        assertFalse(sharesAnyPoint(firstBoundary, secondBoundary), "the second boundary draw repeated a point of the first");
    }

    @Test
    void resamplingPrefersLargeResidualsWithoutRepeatingCandidates() {
        int n = 1000, count = 200;
        for (long seed = 1; seed <= 5; seed++) {
            Collocation collocation = new Collocation(TRAINING, seed);
            OptionPoints candidates = collocation.interior(n);
            double[] residuals = new double[n];
            Map<Long, Integer> indexOf = new HashMap<>();
            for (int i = 0; i < n; i++) {
                residuals[i] = i % 10 == 3 ? 100 : 1; // the marked 10%
                indexOf.put(Double.doubleToLongBits(candidates.moneyness()[i]) * 31 + Double.doubleToLongBits(candidates.expiry()[i]), i);
            }
            assertEquals(n, indexOf.size(), "candidates must be distinct for this test");
            OptionPoints chosen = collocation.resample(candidates, residuals, count);
            assertEquals(count, chosen.size());
            Set<Integer> seen = new HashSet<>();
            int marked = 0;
            for (int k = 0; k < count; k++) {
                Integer i = indexOf.get(Double.doubleToLongBits(chosen.moneyness()[k]) * 31 + Double.doubleToLongBits(chosen.expiry()[k]));
                assertTrue(i != null, "chosen point " + k + " is not a candidate");
                assertTrue(seen.add(i), "candidate " + i + " chosen twice");
                assertEquals(candidates.vol()[i], chosen.vol()[k]);
                assertEquals(candidates.rate()[i], chosen.rate()[k]);
                if (residuals[i] == 100) marked++;
            }
            double share = (double) marked / count;
            assertTrue(share > 0.25, "marked share " + share + " (seed " + seed + "), 0.10 without preference");
        }
    }

    @Test
    void resamplingIsDeterministicForASeed() {
        OptionPoints candidates = new Collocation(TRAINING, 1).interior(400);
        double[] residuals = new double[400];
        for (int i = 0; i < residuals.length; i++) residuals[i] = Math.sin(i);
        OptionPoints a = new Collocation(TRAINING, 8).resample(candidates, residuals, 100);
        OptionPoints b = new Collocation(TRAINING, 8).resample(candidates, residuals, 100);
        assertSamePoints(a, b);
    }

    @Test
    void resamplingRefusesTooFewCandidatesOrMismatchedResiduals() {
        Collocation collocation = new Collocation(TRAINING, 1);
        OptionPoints candidates = collocation.interior(10);
        assertThrows(IllegalArgumentException.class, () -> collocation.resample(candidates, new double[10], 11));
        assertThrows(IllegalArgumentException.class, () -> collocation.resample(candidates, new double[9], 5));
    }

    private static void assertSamePoints(OptionPoints a, OptionPoints b) {
        assertArrayEquals(a.moneyness(), b.moneyness());
        assertArrayEquals(a.expiry(), b.expiry());
        assertArrayEquals(a.vol(), b.vol());
        assertArrayEquals(a.rate(), b.rate());
    }

    private static boolean sharesAnyPoint(OptionPoints a, OptionPoints b) {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < a.size(); i++) keys.add(key(a, i));
        for (int i = 0; i < b.size(); i++) if (keys.contains(key(b, i))) return true;
        return false;
    }

    private static String key(OptionPoints p, int i) {
        return p.moneyness()[i] + "/" + p.expiry()[i] + "/" + p.vol()[i] + "/" + p.rate()[i];
    }
}
