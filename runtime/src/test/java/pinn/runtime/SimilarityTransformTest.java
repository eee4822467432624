package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import pinn.runtime.train.TrainingConfig;

/**
 * The similarity transform's hand-derived derivatives against finite differences of its own
 * values, and the terminal condition it builds in.
 *
 * <p>Specification checked, over the served domain m ∈ [0.5, 2], τ ∈ [0.02, 2], σ ∈ [0.05, 0.8],
 * r ∈ [0, 0.1]:
 * <ul>
 *   <li>for each of the four directions, the tangent of every feature, of the base and of the
 *       coefficient equals the central difference of the value with a step of 1e-6 of the input
 *       (1e-6 · max(|x|, 0.01), as r may be 0), to 1e-6 relative to the derivative's scale
 *       |tangent| + |value|/|x|;
 *   <li>the second derivatives along m equal second central differences with a step of
 *       1e-4 · m · min(1, 10σ√τ) (1e-4 · m where σ√τ ≥ 0.1; below, a step that shrinks with the width
 *       m·σ√τ over which the transform bends, so the step's own h² error stays far below the tolerance),
 *       to 1e-4 relative to the scale |second| + |tangent_m|/m + |value|/m²;
 *   <li>both checks also allow the differences' own rounding: 1e-15 (values are formed from O(1)
 *       quantities) divided by the step, or by its square. Observed worst errors over 5000 random
 *       points: 1.3% of the first-derivative tolerance, 14% of the second's;
 *   <li>as τ → 0 with m ≠ 1 (τ = 1e-10): |base − max(m − 1, 0)| &lt; 1e-8 and 0 ≤ coefficient
 *       &lt; 1e-5, so v = base + coefficient · H tends to the payoff whatever the network's H.
 * </ul>
 */
class SimilarityTransformTest {

    private static final FeatureScaling SCALING = FeatureScaling.forDomain(TrainingConfig.DEFAULT_DOMAIN);
    private static final List<Direction> ALL = List.of(Direction.MONEYNESS, Direction.EXPIRY, Direction.VOL, Direction.RATE);

    /** Relative step and tolerance of the first-derivative check. */
    private static final double FIRST_STEP = 1e-6, FIRST_TOLERANCE = 1e-6;
    /** Relative step (of m) and tolerance of the second-derivative check. */
    private static final double SECOND_STEP = 1e-4, SECOND_TOLERANCE = 1e-4;

    /** One point of the pricing problem in strike units. */
    record Point(double m, double tau, double vol, double rate) {
        double get(Direction d) {
            return switch (d) {
                case MONEYNESS -> m;
                case EXPIRY -> tau;
                case VOL -> vol;
                case RATE -> rate;
            };
        }

        Point plus(Direction d, double h) {
            return switch (d) {
                case MONEYNESS -> new Point(m + h, tau, vol, rate);
                case EXPIRY -> new Point(m, tau + h, vol, rate);
                case VOL -> new Point(m, tau, vol + h, rate);
                case RATE -> new Point(m, tau, vol, rate + h);
            };
        }

        OptionPoints asPoints() {
            return new OptionPoints(new double[] {m}, new double[] {tau}, new double[] {vol}, new double[] {rate});
        }
    }

    private static final Gen<Point> DOMAIN = doubles().between(0.5, 2.0).zip(doubles().between(0.02, 2.0),
            doubles().between(0.05, 0.8), doubles().between(0.0, 0.1), Point::new);

    /**
     * The absolute rounding of a value formed from O(1) quantities, which a difference quotient
     * divides by its step: S(z) = (1 + tanh κz)/2 is 0 or a multiple of 2^-53 far out in the tail,
     * so the base is quantised at about 1e-16 there, whatever its true size (~e^{-2κ|z|}).
     */
    private static final double ROUNDING = 1e-15;

    /** The transformed quantities in order: the network features, then base and coefficient. */
    private static String name(int q) {
        int features = FeatureScaling.NAMES.size();
        return q < features ? "feature " + FeatureScaling.NAMES.get(q) : q == features ? "base" : "coefficient";
    }

    private static SimilarityTransform.Inputs transform(Point p, List<Direction> directions) {
        return SimilarityTransform.compute(p.asPoints(), directions, SCALING);
    }

    /** The features of the single point, then base and coefficient, picked from each jet's {@code component}. */
    private static double[] quantities(SimilarityTransform.Inputs in, Function<HostJet, double[]> component) {
        double[] features = component.apply(in.features());
        int n = in.features().cols();
        assertEquals(FeatureScaling.NAMES.size(), n, "one feature per name");
        double[] out = Arrays.copyOf(features, n + 2);
        out[n] = component.apply(in.base())[0];
        out[n + 1] = component.apply(in.coefficient())[0];
        return out;
    }

    private static double[] values(SimilarityTransform.Inputs in) {
        return quantities(in, HostJet::value);
    }

    private static double[] tangents(SimilarityTransform.Inputs in, int k) {
        return quantities(in, jet -> jet.tangents()[k]);
    }

    private static double[] seconds(SimilarityTransform.Inputs in) {
        return quantities(in, HostJet::second);
    }

    private static double[] valuesAt(Point p) {
        return values(transform(p, List.of(Direction.MONEYNESS)));
    }

    private static double inputScale(Point p, Direction d) {
        return Math.max(Math.abs(p.get(d)), 0.01);
    }

    @Test
    void tangentsAlongEveryDirectionEqualCentralDifferences() {
        qt().withExamples(500).forAll(DOMAIN).checkAssert(p -> {
            SimilarityTransform.Inputs in = transform(p, ALL);
            double[] value = values(in);
            for (int k = 0; k < ALL.size(); k++) {
                Direction d = ALL.get(k);
                double x = inputScale(p, d), h = FIRST_STEP * x;
                double[] up = valuesAt(p.plus(d, h)), down = valuesAt(p.plus(d, -h));
                double[] tangent = tangents(in, k);
                for (int q = 0; q < value.length; q++) {
                    double fd = (up[q] - down[q]) / (2 * h);
                    double tolerance = FIRST_TOLERANCE * (Math.abs(tangent[q]) + Math.abs(value[q]) / x) + ROUNDING / h;
                    assertEquals(fd, tangent[q], tolerance, name(q) + " along " + d + " at " + p);
                }
            }
        });
    }

    @Test
    void secondDerivativesAlongMoneynessEqualSecondCentralDifferences() {
        qt().withExamples(500).forAll(DOMAIN).checkAssert(p -> {
            SimilarityTransform.Inputs in = transform(p, ALL);
            double[] value = values(in), tangent = tangents(in, 0), second = seconds(in);
            double h = SECOND_STEP * p.m() * Math.min(1, 10 * p.vol() * Math.sqrt(p.tau()));
            double[] up = valuesAt(p.plus(Direction.MONEYNESS, h)), down = valuesAt(p.plus(Direction.MONEYNESS, -h));
            for (int q = 0; q < value.length; q++) {
                double fd2 = (up[q] - 2 * value[q] + down[q]) / (h * h);
                double tolerance = SECOND_TOLERANCE * (Math.abs(second[q]) + Math.abs(tangent[q]) / p.m()
                        + Math.abs(value[q]) / (p.m() * p.m())) + ROUNDING / (h * h);
                assertEquals(fd2, second[q], tolerance, "second derivative of " + name(q) + " along m at " + p);
            }
        });
    }

    @Test
    void tangentsDoNotDependOnWhichOtherDirectionsAreAsked() {
        List<Direction> reordered = List.of(Direction.MONEYNESS, Direction.RATE, Direction.VOL, Direction.EXPIRY);
        qt().withExamples(100).forAll(DOMAIN).checkAssert(p -> {
            SimilarityTransform.Inputs all = transform(p, ALL), other = transform(p, reordered);
            for (int k = 0; k < reordered.size(); k++) {
                int inAll = ALL.indexOf(reordered.get(k));
                assertArrayEquals(tangents(all, inAll), tangents(other, k), reordered.get(k) + " at " + p);
            }
            assertArrayEquals(values(all), values(other));
            assertArrayEquals(seconds(all), seconds(other));
        });
    }

    @Test
    void onlyTheFirstFeatureAndTheBaseBendAlongMoneyness() {
        // tanh(z/scale) and (m − e^{−rτ})·S(z) curve in m; the other features (functions of w, σ, r)
        // and e^{−rτ}·w do not move with m at all.
        qt().withExamples(100).forAll(DOMAIN).checkAssert(p -> {
            double[] second = seconds(transform(p, ALL));
            int features = FeatureScaling.NAMES.size();
            for (int q = 1; q < features; q++) assertEquals(0.0, second[q], name(q));
            assertEquals(0.0, second[features + 1], "coefficient");
        });
    }

    @Test
    void terminalConditionHoldsForAnyNetworkOutputAsExpiryVanishes() {
        // τ = 1e-10 and |ln m| ≥ 0.01: |z| ≥ 0.01 / (0.8 · 1e-5) = 1250, so S(z) is 0 or 1 to the last bit.
        // m is drawn from [0.5, 0.99] ∪ [1.01, 2]: u < 0.5 maps onto the first, u ≥ 0.5 onto the second.
        Gen<Point> nearExpiry = doubles().between(0.0, 1.0).zip(doubles().between(0.05, 0.8), doubles().between(0.0, 0.1),
                (u, vol, rate) -> new Point(u < 0.5 ? 0.5 + 0.98 * u : 1.01 + 1.98 * (u - 0.5), 1e-10, vol, rate));
        qt().withExamples(500).forAll(nearExpiry).checkAssert(p -> {
            SimilarityTransform.Inputs in = transform(p, ALL);
            double base = in.base().value()[0], coefficient = in.coefficient().value()[0];
            double payoff = Math.max(p.m() - 1, 0);
            assertEquals(payoff, base, 1e-8, "base at " + p);
            assertTrue(coefficient >= 0 && coefficient < 1e-5, "coefficient " + coefficient + " at " + p);
            for (double h : new double[] {-100, -1, 0, 1, 100}) {
                assertEquals(payoff, base + coefficient * h, 1e-8 + 1e-5 * Math.abs(h), "v for H = " + h + " at " + p);
            }
        });
    }

    @Test
    void theFirstDirectionMustBeMoneyness() {
        Point p = new Point(1, 1, 0.2, 0.05);
        assertThrows(IllegalArgumentException.class, () -> transform(p, List.of(Direction.EXPIRY, Direction.MONEYNESS)));
        assertThrows(IllegalArgumentException.class, () -> transform(p, List.of()));
    }
}
