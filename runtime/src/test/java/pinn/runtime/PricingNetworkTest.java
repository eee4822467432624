package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinn.autodiff.Tape;
import pinn.kernels.VectorBackend;
import pinn.runtime.model.InputFeature;
import pinn.runtime.model.ModelFile;
import pinn.runtime.model.TrainingMetadata;
import pinn.runtime.train.TrainingConfig;

/**
 * The pricing network's Greeks, model files and terminal condition, for randomly initialised
 * networks with hidden layers {16, 16} (no training: every property here must hold whatever the
 * weights).
 *
 * <p>Specification checked:
 * <ul>
 *   <li>the Greeks of {@link PricingNetwork#priceCalls} equal central differences of its own price:
 *       delta = ∂v/∂m, theta = −∂v/∂τ, vega = ∂v/∂σ, rho = ∂v/∂r with a step of 1e-6 of the input
 *       (1e-6 · max(|x|, 0.01) for r), to 1e-6 of |Greek| + |v|/|x| + 1e-14/step; gamma = ∂²v/∂m²
 *       with a step of 1e-4 · m · min(1, 10σ√τ) (the price bends over a width m·σ√τ in m), to
 *       1e-4 of |gamma| + |delta|/m + |v|/m² + 1e-14/step² (1e-14: the rounding of a price formed
 *       from O(1) quantities, which a difference divides by its step); observed worst error over
 *       40 random networks: 0.3% of the first-derivative tolerance, 9% of gamma's;
 *   <li>toModelFile → bytes → fromModelFile prices bit for bit as the original;
 *   <li>as τ → 0 (τ = 1e-10, |ln m| ≥ 0.01) the price is max(m − 1, 0) + e^{−rτ}·σ√τ·H to 1e-10,
 *       H the raw network output, even for weights blown up 100×: the network only enters through
 *       a factor below 1e-5 that vanishes as √τ;
 *   <li>fromModelFile refuses input features it does not know, naming the feature;
 *   <li>a backend with two threads prices a large batch as one thread does (to rounding).
 * </ul>
 */
class PricingNetworkTest {

    private static final VectorBackend BACKEND = new VectorBackend(1);
    private static final int[] HIDDEN = {16, 16};
    /** Absolute rounding of a price formed from O(1) quantities through the network (a few ulp of 1, generously). */
    private static final double ROUNDING = 1e-14;

    @AfterAll
    static void closeBackend() {
        BACKEND.close();
    }

    private static PricingNetwork network(long seed) {
        return PricingNetwork.initialise(BACKEND, TrainingConfig.DEFAULT_DOMAIN, HIDDEN, seed);
    }

    /** {@code n} points drawn uniformly from the served domain. */
    private static OptionPoints randomPoints(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] m = new double[n], tau = new double[n], vol = new double[n], rate = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = random.nextDouble(0.5, 2.0);
            tau[i] = random.nextDouble(0.02, 2.0);
            vol[i] = random.nextDouble(0.05, 0.8);
            rate[i] = random.nextDouble(0.0, 0.1);
        }
        return new OptionPoints(m, tau, vol, rate);
    }

    private static double[] input(OptionPoints p, Direction d) {
        return switch (d) {
            case MONEYNESS -> p.moneyness();
            case EXPIRY -> p.expiry();
            case VOL -> p.vol();
            case RATE -> p.rate();
        };
    }

    /** The points with input {@code d} of point i moved by {@code sign · steps[i]}. */
    private static OptionPoints bumped(OptionPoints p, Direction d, double[] steps, double sign) {
        double[] m = p.moneyness().clone(), tau = p.expiry().clone(), vol = p.vol().clone(), rate = p.rate().clone();
        double[] moved = input(new OptionPoints(m, tau, vol, rate), d);
        for (int i = 0; i < moved.length; i++) moved[i] += sign * steps[i];
        return new OptionPoints(m, tau, vol, rate);
    }

    private static double[] prices(PricingNetwork net, OptionPoints p) {
        Valuation[] v = net.priceCalls(p);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i].price();
        return out;
    }

    private static double sensitivity(Direction d, Valuation v) {
        return switch (d) {
            case MONEYNESS -> v.delta();
            case EXPIRY -> -v.theta(); // theta = ∂v/∂t = −∂v/∂τ
            case VOL -> v.vega();
            case RATE -> v.rho();
        };
    }

    @Test
    void greeksAreTheDerivativesOfTheNetworksOwnPrice() {
        qt().withExamples(8).forAll(longs().all()).checkAssert(seed -> {
            try (PricingNetwork net = network(seed)) {
                OptionPoints p = randomPoints(seed, 64);
                Valuation[] exact = net.priceCalls(p);
                for (Direction d : Direction.values()) {
                    double[] x = input(p, d), steps = new double[x.length];
                    for (int i = 0; i < x.length; i++) steps[i] = 1e-6 * Math.max(Math.abs(x[i]), 0.01);
                    double[] up = prices(net, bumped(p, d, steps, +1)), down = prices(net, bumped(p, d, steps, -1));
                    for (int i = 0; i < x.length; i++) {
                        double fd = (up[i] - down[i]) / (2 * steps[i]);
                        double greek = sensitivity(d, exact[i]);
                        double scale = Math.abs(greek) + Math.abs(exact[i].price()) / Math.max(Math.abs(x[i]), 0.01);
                        assertEquals(fd, greek, 1e-6 * scale + ROUNDING / steps[i], "∂v/∂" + d + " at point " + i + " (seed " + seed + ")");
                    }
                }
                double[] steps = new double[p.size()];
                for (int i = 0; i < steps.length; i++) steps[i] = 1e-4 * p.moneyness()[i] * Math.min(1, 10 * p.vol()[i] * Math.sqrt(p.expiry()[i]));
                double[] up = prices(net, bumped(p, Direction.MONEYNESS, steps, +1));
                double[] down = prices(net, bumped(p, Direction.MONEYNESS, steps, -1));
                for (int i = 0; i < steps.length; i++) {
                    double m = p.moneyness()[i], h = steps[i];
                    double fd2 = (up[i] - 2 * exact[i].price() + down[i]) / (h * h);
                    double scale = Math.abs(exact[i].gamma()) + Math.abs(exact[i].delta()) / m + Math.abs(exact[i].price()) / (m * m);
                    assertEquals(fd2, exact[i].gamma(), 1e-4 * scale + ROUNDING / (h * h), "gamma at point " + i + " (seed " + seed + ")");
                }
            }
        });
    }

    @Test
    void modelFileRoundTripPricesBitForBit() throws Exception {
        OptionPoints p = randomPoints(7, 200);
        try (PricingNetwork original = network(11)) {
            // Move the biases off zero so that every parameter is exercised by the round trip.
            double[] parameters = original.mlp().exportParameters();
            SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < parameters.length; i++) parameters[i] += random.nextDouble(-0.1, 0.1);
            original.mlp().loadParameters(parameters);

            TrainingMetadata metadata = new TrainingMetadata("test", 11, 0, Map.of("pde", 1.0), Instant.EPOCH);
            byte[] bytes = original.toModelFile(metadata).toBytes();
            ModelFile file = ModelFile.fromBytes(bytes, "round trip");
            try (PricingNetwork reloaded = PricingNetwork.fromModelFile(BACKEND, file)) {
                assertEquals(original.domain(), reloaded.domain());
                assertEquals(original.scaling(), reloaded.scaling());
                assertArrayEquals(original.mlp().sizes(), reloaded.mlp().sizes());
                Valuation[] before = original.priceCalls(p), after = reloaded.priceCalls(p);
                for (int i = 0; i < before.length; i++) {
                    assertArrayEquals(bits(before[i]), bits(after[i]), "valuation " + i + ": " + before[i] + " vs " + after[i]);
                }
            }
        }
    }

    private static long[] bits(Valuation v) {
        return new long[] {Double.doubleToRawLongBits(v.price()), Double.doubleToRawLongBits(v.delta()),
                Double.doubleToRawLongBits(v.gamma()), Double.doubleToRawLongBits(v.theta()),
                Double.doubleToRawLongBits(v.vega()), Double.doubleToRawLongBits(v.rho())};
    }

    @Test
    void terminalPayoffHoldsAtTinyExpiryWhateverTheWeights() {
        int n = 200;
        SplittableRandom random = new SplittableRandom(3);
        double[] m = new double[n], tau = new double[n], vol = new double[n], rate = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = i % 2 == 0 ? random.nextDouble(0.5, 0.99) : random.nextDouble(1.01, 2.0);
            tau[i] = 1e-10;
            vol[i] = random.nextDouble(0.05, 0.8);
            rate[i] = random.nextDouble(0.0, 0.1);
        }
        OptionPoints p = new OptionPoints(m, tau, vol, rate);
        for (double blowUp : new double[] {1, 100}) {
            for (long seed = 1; seed <= 3; seed++) {
                try (PricingNetwork net = network(seed)) {
                    double[] parameters = net.mlp().exportParameters();
                    for (int i = 0; i < parameters.length; i++) parameters[i] = blowUp * parameters[i] + (i % 7 - 3) * 0.1 * blowUp;
                    net.mlp().loadParameters(parameters);
                    double[] h;
                    try (Tape tape = new Tape(BACKEND)) {
                        h = net.networkOutput(tape, p).toArray();
                    }
                    Valuation[] v = net.priceCalls(p);
                    for (int i = 0; i < n; i++) {
                        double payoff = Math.max(m[i] - 1, 0);
                        double coefficient = Math.exp(-rate[i] * tau[i]) * vol[i] * Math.sqrt(tau[i]);
                        String where = "m " + m[i] + ", σ " + vol[i] + ", r " + rate[i] + ", weights ×" + blowUp + ", seed " + seed
                                + ", H " + h[i];
                        // v = payoff + e^{−rτ}·σ√τ·H: the network enters only through a factor that vanishes as √τ.
                        assertEquals(payoff + coefficient * h[i], v[i].price(), 1e-10, "price at " + where);
                        assertTrue(coefficient < 1e-5);
                        assertTrue(Double.isFinite(v[i].delta()) && Double.isFinite(v[i].gamma()) && Double.isFinite(v[i].theta())
                                && Double.isFinite(v[i].vega()) && Double.isFinite(v[i].rho()), "finite Greeks at " + where + ": " + v[i]);
                    }
                }
            }
        }
    }

    @Test
    void fromModelFileRefusesUnknownInputFeaturesNamingThem() {
        try (PricingNetwork net = network(2)) {
            ModelFile file = net.toModelFile(new TrainingMetadata("", 2, 0, Map.of(), Instant.EPOCH));
            for (int k = 0; k < file.inputFeatures().size(); k++) {
                List<InputFeature> features = new ArrayList<>(file.inputFeatures());
                InputFeature known = features.get(k);
                features.set(k, new InputFeature("log-moneyness-" + k, known.shift(), known.scale()));
                ModelFile foreign = new ModelFile(file.architecture(), features, file.domain(), file.metadata(), file.layerWeights());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> PricingNetwork.fromModelFile(BACKEND, foreign).close());
                assertTrue(e.getMessage().contains("log-moneyness-" + k), e.getMessage());
            }
        }
    }

    @Test
    void priceCallsOnATwoThreadBackendMatchesOneThread() {
        // 10 000 points make the hidden layers' elementwise work (160 000 values) and GEMMs large
        // enough for VectorBackend to split them across its threads.
        OptionPoints p = randomPoints(17, 10_000);
        try (VectorBackend twoThreads = new VectorBackend(2);
             PricingNetwork one = network(17);
             PricingNetwork two = PricingNetwork.initialise(twoThreads, TrainingConfig.DEFAULT_DOMAIN, HIDDEN, 17)) {
            Valuation[] expected = one.priceCalls(p), actual = two.priceCalls(p);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i].price(), actual[i].price(), 1e-13, "price " + i);
                assertEquals(expected[i].gamma(), actual[i].gamma(), 1e-10 * (1 + Math.abs(expected[i].gamma())), "gamma " + i);
            }
        }
    }

    @Test
    void priceCallsReadsTheJetOutInStrikeUnits() {
        // priceCalls is the jet along all four directions, read out in strike units.
        OptionPoints p = randomPoints(13, 32);
        try (PricingNetwork net = network(13); Tape tape = new Tape(BACKEND)) {
            var jet = net.priceJet(tape, p, PricingNetwork.ALL_DIRECTIONS);
            Valuation[] v = net.priceCalls(p);
            double[] value = jet.value().toArray(), second = jet.second().toArray(), dTau = jet.tangent(1).toArray();
            for (int i = 0; i < v.length; i++) {
                assertEquals(value[i], v[i].price(), 0.0);
                assertEquals(second[i], v[i].gamma(), 0.0);
                assertEquals(-dTau[i], v[i].theta(), 0.0);
            }
        }
    }
}
