package pinn.runtime.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The values a model file holds check themselves, so that no invalid model can be written. */
class ModelValuesTest {

    private static final Domain DOMAIN = HandMadeModelFile.DOMAIN;
    private static final TrainingMetadata METADATA = HandMadeModelFile.METADATA;

    @Test
    void layerWeightsAreRowMajorInputsByOutputs() {
        var layer = new LayerWeights(2, 3, new double[]{11, 12, 13, 21, 22, 23}, new double[]{1, 2, 3});
        assertEquals(23, layer.weight(1, 2));
        assertEquals(12, layer.weight(0, 1));
        assertEquals(3, layer.bias(2));
        assertEquals(9, layer.parameterCount());
        assertEquals("LayerWeights[2×3]", layer.toString());
        assertThrows(IndexOutOfBoundsException.class, () -> layer.weight(2, 0));
    }

    @Test
    void layerWeightsCopyTheirArraysInAndOut() {
        double[] weights = {1, 2};
        double[] bias = {3};
        var layer = new LayerWeights(2, 1, weights, bias);
        weights[0] = 99;
        bias[0] = 99;
        layer.weights()[1] = 99;
        layer.bias()[0] = 99;
        assertEquals(new LayerWeights(2, 1, new double[]{1, 2}, new double[]{3}), layer);
    }

    @Test
    void layerWeightsEqualityIsBitwise() {
        var positiveZero = new LayerWeights(1, 1, new double[]{0.0}, new double[]{0});
        var negativeZero = new LayerWeights(1, 1, new double[]{-0.0}, new double[]{0});
        assertNotEquals(positiveZero, negativeZero);
        assertEquals(positiveZero.hashCode(), new LayerWeights(1, 1, new double[]{0.0}, new double[]{0}).hashCode());
    }

    @Test
    void layerWeightsRefuseWrongLengthsAndNonFiniteValues() {
        assertMessage("a 2×3 layer needs 6 weights, got 5",
                () -> new LayerWeights(2, 3, new double[5], new double[3]));
        assertMessage("a layer with 3 outputs needs 3 biases, got 2",
                () -> new LayerWeights(2, 3, new double[6], new double[2]));
        assertMessage("a layer needs at least 1 input and 1 output, got 0×3",
                () -> new LayerWeights(0, 3, new double[0], new double[3]));
        assertMessage("weight (0, 1) (input 0 to output 1) is NaN",
                () -> new LayerWeights(1, 2, new double[]{0, Double.NaN}, new double[2]));
        assertMessage("bias 1 is -Infinity",
                () -> new LayerWeights(1, 2, new double[2], new double[]{0, Double.NEGATIVE_INFINITY}));
    }

    @Test
    void architectureCountsLayersAndParameters() {
        var architecture = Architecture.of("tanh", 4, 64, 64, 64, 64, 1);
        assertEquals(4, architecture.inputCount());
        assertEquals(1, architecture.outputCount());
        assertEquals(5, architecture.weightLayerCount());
        assertEquals(List.of(64, 64, 64, 64), architecture.hiddenWidths());
        assertEquals(List.of(), Architecture.of("tanh", 2, 1).hiddenWidths());
        assertEquals(64, architecture.inputsOf(4));
        assertEquals(1, architecture.outputsOf(4));
        assertEquals(12_865, architecture.parameterCount());
        assertEquals("4→64→64→64→64→1 tanh", architecture.toString());
    }

    @Test
    void architectureRefusesImpossibleShapes() {
        assertMessage("an architecture needs between 2 and 1024 layer sizes (inputs and outputs at least), got 1",
                () -> Architecture.of("tanh", 4));
        assertMessage("layer size 1 is 0, outside 1..65536", () -> Architecture.of("tanh", 4, 0, 1));
        assertMessage("activation name must not be empty", () -> Architecture.of("", 4, 1));
        assertMessage("activation name has an unpaired surrogate at index 1, which UTF-8 cannot store",
                () -> Architecture.of("t\uD800", 4, 1));
    }

    @Test
    void inputFeaturesNormaliseAndBack() {
        var tau = new InputFeature("tau", 1.0, 0.5);
        assertEquals(2.0, tau.normalise(2.0));
        assertEquals(2.0, tau.denormalise(tau.normalise(2.0)));
        assertMessage("scale must be finite and non-zero, was 0.0", () -> new InputFeature("tau", 0, 0));
        assertMessage("shift must be finite, was NaN", () -> new InputFeature("tau", Double.NaN, 1));
        assertMessage("input feature name must not be empty", () -> new InputFeature("", 0, 1));
    }

    @Test
    void domainContainsItsBoundsAndNothingOutside() {
        var domain = new Domain(0.5, 2.0, 0.0, 2.0, 0.05, 0.8, -0.01, 0.1);
        assertTrue(domain.contains(1.0, 1.0, 0.2, 0.05));
        assertTrue(domain.contains(0.5, 0.0, 0.05, -0.01), "lower bounds are inside");
        assertTrue(domain.contains(2.0, 2.0, 0.8, 0.1), "upper bounds are inside");
        assertFalse(domain.contains(2.01, 1.0, 0.2, 0.05), "moneyness too high");
        assertFalse(domain.contains(1.0, 2.5, 0.2, 0.05), "expiry too long");
        assertFalse(domain.contains(1.0, 1.0, 0.01, 0.05), "vol too low");
        assertFalse(domain.contains(1.0, 1.0, 0.2, -0.02), "rate too low");
        assertFalse(domain.contains(Double.NaN, 1.0, 0.2, 0.05), "NaN is never inside");
    }

    @Test
    void domainRefusesReversedAndUnphysicalBounds() {
        assertMessage("expiry bounds are reversed: min 2.0 > max 1.0", () -> new Domain(0.5, 2, 2, 1, 0, 1, 0, 0));
        assertMessage("minMoneyness must be > 0, was 0.0", () -> new Domain(0, 2, 0, 1, 0, 1, 0, 0));
        assertMessage("minVol must be >= 0, was -0.1", () -> new Domain(0.5, 2, 0, 1, -0.1, 1, 0, 0));
        assertMessage("rate bounds must be finite, were [-Infinity, 0.1]",
                () -> new Domain(0.5, 2, 0, 1, 0, 1, Double.NEGATIVE_INFINITY, 0.1));
    }

    @Test
    void trainingMetadataKeepsLossOrderAndIsImmutable() {
        var losses = HandMadeModelFile.orderedLosses("total", 3.0, "pde", 1.0, "boundary", 2.0);
        var metadata = new TrainingMetadata("pinn train", 1, 100, losses, Instant.EPOCH);
        losses.put("late", 4.0);
        assertEquals(List.of("total", "pde", "boundary"), List.copyOf(metadata.finalLosses().keySet()));
        assertEquals("", metadata.notes());
        assertThrows(UnsupportedOperationException.class, () -> metadata.finalLosses().put("x", 1.0));
        assertMessage("steps must be >= 0, was -1", () -> new TrainingMetadata("", 1, -1, Map.of(), Instant.EPOCH));
        assertThrows(NullPointerException.class, () -> new TrainingMetadata("", 1, 1, Map.of(), null));
    }

    @Test
    void aModelFileRefusesPartsThatDisagree() {
        var architecture = Architecture.of("tanh", 2, 3, 1);
        var features = List.of(new InputFeature("x", 0, 1), new InputFeature("y", 0, 1));
        var layer1 = new LayerWeights(2, 3, new double[6], new double[3]);
        var layer2 = new LayerWeights(3, 1, new double[3], new double[1]);

        assertEquals(13, new ModelFile(architecture, features, DOMAIN, METADATA, List.of(layer1, layer2)).parameterCount());
        assertMessage("1 input features for an architecture (2→3→1 tanh) with 2 inputs",
                () -> new ModelFile(architecture, features.subList(0, 1), DOMAIN, METADATA, List.of(layer1, layer2)));
        assertMessage("1 weight layers for an architecture (2→3→1 tanh) with 2",
                () -> new ModelFile(architecture, features, DOMAIN, METADATA, List.of(layer1)));
        assertMessage("layer 2 is 2×3 (inputs×outputs) but the architecture (2→3→1 tanh) says 3×1",
                () -> new ModelFile(architecture, features, DOMAIN, METADATA, List.of(layer1, layer1)));
    }

    @Test
    void aModelFileCopiesItsLists() {
        var features = new ArrayList<>(List.of(new InputFeature("x", 0, 1)));
        var layers = new ArrayList<>(List.of(new LayerWeights(1, 1, new double[1], new double[1])));
        var model = new ModelFile(Architecture.of("tanh", 1, 1), features, DOMAIN, METADATA, layers);
        features.clear();
        layers.clear();
        assertEquals(1, model.inputFeatures().size());
        assertEquals(1, model.layerWeights().size());
    }

    @Test
    void aModelTooLargeForTheFormatCannotBeBuilt() {
        // Two 4100×4100 layers: 2 × 134 MB of weights, over the 256 MiB a reader accepts.
        int width = 4100;
        var layer = new LayerWeights(width, width, new double[width * width], new double[width]);
        var features = new ArrayList<InputFeature>();
        for (int i = 0; i < width; i++) features.add(new InputFeature("x" + i, 0, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> new ModelFile(
                Architecture.of("tanh", width, width, width), features, DOMAIN, METADATA, List.of(layer, layer)));
        assertTrue(e.getMessage().endsWith("bytes, more than the format's limit of 268435456"), e.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable construction) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, construction).getMessage());
    }
}
