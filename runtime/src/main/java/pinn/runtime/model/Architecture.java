package pinn.runtime.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The shape of a fully connected network: the width of every layer, from the inputs to the
 * outputs, and the name of the activation applied after every hidden layer.
 *
 * <p>{@code layerSizes} = [4, 64, 64, 1] describes a network with 4 inputs, two hidden layers of
 * 64 neurons and 1 output; it has three weight layers (4→64, 64→64, 64→1). The activation is
 * stored as a name (e.g. {@code "tanh"}); which names a runtime supports is the runtime's business,
 * not the file format's.
 *
 * @param layerSizes widths in neurons, inputs first; at least two entries, each in
 *                   1..{@link ModelFileFormat#MAX_LAYER_WIDTH}; an unmodifiable copy is kept
 * @param activation the hidden-layer activation's name, non-empty
 */
public record Architecture(List<Integer> layerSizes, String activation) {

    public Architecture {
        Objects.requireNonNull(layerSizes, "layerSizes");
        layerSizes = List.copyOf(layerSizes);
        if (layerSizes.size() < 2 || layerSizes.size() > ModelFileFormat.MAX_LAYER_SIZES) {
            throw new IllegalArgumentException("an architecture needs between 2 and "
                    + ModelFileFormat.MAX_LAYER_SIZES + " layer sizes (inputs and outputs at least), got "
                    + layerSizes.size());
        }
        for (int i = 0; i < layerSizes.size(); i++) {
            int size = layerSizes.get(i);
            if (size < 1 || size > ModelFileFormat.MAX_LAYER_WIDTH) {
                throw new IllegalArgumentException("layer size " + i + " is " + size + ", outside 1.."
                        + ModelFileFormat.MAX_LAYER_WIDTH);
            }
        }
        ModelFileFormat.checkedUtf8Length(activation, "activation name", ModelFileFormat.MAX_NAME_BYTES);
        if (activation.isEmpty()) throw new IllegalArgumentException("activation name must not be empty");
    }

    /** An architecture from its activation name and layer sizes, e.g. {@code of("tanh", 4, 64, 1)}. */
    public static Architecture of(String activation, int... layerSizes) {
        return new Architecture(Arrays.stream(layerSizes).boxed().toList(), activation);
    }

    /** Number of network inputs (the first layer size). */
    public int inputCount() {
        return layerSizes.getFirst();
    }

    /** Number of network outputs (the last layer size). */
    public int outputCount() {
        return layerSizes.getLast();
    }

    /** The hidden layers' widths: the layer sizes without the inputs and the outputs, e.g. [32, 32, 32, 32]. */
    public List<Integer> hiddenWidths() {
        return layerSizes.subList(1, layerSizes.size() - 1);
    }

    /** Number of weight layers (one fewer than the layer sizes). */
    public int weightLayerCount() {
        return layerSizes.size() - 1;
    }

    /** Inputs of weight layer {@code layer} (0-based): the width of the layer before it. */
    public int inputsOf(int layer) {
        Objects.checkIndex(layer, weightLayerCount());
        return layerSizes.get(layer);
    }

    /** Outputs of weight layer {@code layer} (0-based): the width of the layer after it. */
    public int outputsOf(int layer) {
        Objects.checkIndex(layer, weightLayerCount());
        return layerSizes.get(layer + 1);
    }

    /** Number of trainable values: all weights and biases. */
    public long parameterCount() {
        long count = 0;
        for (int layer = 0; layer < weightLayerCount(); layer++) {
            count += (long) inputsOf(layer) * outputsOf(layer) + outputsOf(layer);
        }
        return count;
    }

    /** E.g. {@code 4→64→64→1 tanh}. */
    @Override
    public String toString() {
        return layerSizes.stream().map(String::valueOf).collect(Collectors.joining("→")) + " " + activation;
    }
}
