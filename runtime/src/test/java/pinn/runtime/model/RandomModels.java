package pinn.runtime.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;

/** Random, valid models for property tests: awkward doubles and strings included. */
final class RandomModels {

    private static final double[] AWKWARD_DOUBLES = {
            0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
            -Double.MAX_VALUE, 1.0, -1.0, Math.nextUp(1.0), 0.1, 1e-300, 6.02214076e23};

    private static final String[] PIECES = {"a", "Z", "0", " ", "-", "_", "\n", "\t", "\0", "é", "σ", "τ", "€",
            "√", "\uD835\uDF0E" /* mathematical italic sigma, a surrogate pair */, "\"", "\\"};

    private RandomModels() {}

    /** A valid model with the given layer sizes, every other value drawn from {@code seed}. */
    static ModelFile model(List<Integer> layerSizes, long seed) {
        var rng = new SplittableRandom(seed);
        var architecture = new Architecture(layerSizes, rng.nextBoolean() ? "tanh" : text(rng, 1, 12));
        List<InputFeature> features = new ArrayList<>();
        for (int i = 0; i < architecture.inputCount(); i++) {
            double scale;
            do scale = finiteDouble(rng); while (scale == 0);
            features.add(new InputFeature(text(rng, 1, 10), finiteDouble(rng), scale));
        }
        var domain = new Domain(0.5 + rng.nextDouble(), 2 + rng.nextDouble(), rng.nextDouble(), 1 + rng.nextDouble(),
                rng.nextDouble() * 0.1, 0.2 + rng.nextDouble(), -rng.nextDouble() * 0.05, rng.nextDouble() * 0.2);
        var losses = new LinkedHashMap<String, Double>();
        int lossCount = rng.nextInt(5);
        while (losses.size() < lossCount) losses.put(text(rng, 1, 8), anyDouble(rng));
        var metadata = new TrainingMetadata(text(rng, 0, 40), rng.nextLong(), rng.nextLong(0, Long.MAX_VALUE), losses,
                Instant.ofEpochSecond(rng.nextLong(-1L << 40, 1L << 40), rng.nextInt(1_000_000_000)),
                rng.nextBoolean() ? "" : text(rng, 0, 60));
        List<LayerWeights> layers = new ArrayList<>();
        for (int layer = 0; layer < architecture.weightLayerCount(); layer++) {
            int inputs = architecture.inputsOf(layer), outputs = architecture.outputsOf(layer);
            double[] weights = new double[inputs * outputs];
            double[] bias = new double[outputs];
            for (int k = 0; k < weights.length; k++) weights[k] = finiteDouble(rng);
            for (int j = 0; j < bias.length; j++) bias[j] = finiteDouble(rng);
            layers.add(new LayerWeights(inputs, outputs, weights, bias));
        }
        return new ModelFile(architecture, features, domain, metadata, layers);
    }

    /** Any finite double: awkward values, ordinary ones, and random bit patterns (subnormals too). */
    static double finiteDouble(SplittableRandom rng) {
        return switch (rng.nextInt(3)) {
            case 0 -> AWKWARD_DOUBLES[rng.nextInt(AWKWARD_DOUBLES.length)];
            case 1 -> rng.nextDouble(-3, 3);
            default -> {
                double value;
                do value = Double.longBitsToDouble(rng.nextLong()); while (!Double.isFinite(value));
                yield value;
            }
        };
    }

    /** Any double, NaN (with any payload) and infinities included. */
    static double anyDouble(SplittableRandom rng) {
        return rng.nextInt(4) == 0 ? Double.longBitsToDouble(rng.nextLong()) : finiteDouble(rng);
    }

    static String text(SplittableRandom rng, int minPieces, int maxPieces) {
        var text = new StringBuilder();
        int pieces = rng.nextInt(minPieces, maxPieces + 1);
        for (int i = 0; i < pieces; i++) text.append(PIECES[rng.nextInt(PIECES.length)]);
        return text.toString();
    }
}
