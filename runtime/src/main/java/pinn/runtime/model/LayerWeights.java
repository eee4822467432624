package pinn.runtime.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * The trained values of one fully connected layer, {@code y = x · W + b}: a weight matrix of
 * {@code inputs} rows and {@code outputs} columns in row-major order, and one bias per output.
 *
 * <p>Weight (i, j), from input i to output j, is at index {@code i · outputs + j}. This is the
 * layout of the B operand of {@code Backend.gemmBias} (C = A·B + bias, A a batch of rows), so a
 * batch of inputs times this matrix gives the layer's pre-activations. Values are dimensionless
 * (they act on normalised inputs) and must be finite.
 *
 * <p>Immutable: the arrays are copied in, and the accessors return copies; use
 * {@link #weight(int, int)} and {@link #bias(int)} to read single values without copying.
 *
 * @param inputs  rows of the weight matrix, &ge; 1
 * @param outputs columns of the weight matrix and length of the bias, &ge; 1
 * @param weights {@code inputs × outputs} finite values, row-major
 * @param bias    {@code outputs} finite values
 */
public record LayerWeights(int inputs, int outputs, double[] weights, double[] bias) {

    public LayerWeights {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("a layer needs at least 1 input and 1 output, got "
                    + inputs + "×" + outputs);
        }
        if (weights == null || bias == null) throw new IllegalArgumentException("weights and bias must not be null");
        if (weights.length != (long) inputs * outputs) {
            throw new IllegalArgumentException("a " + inputs + "×" + outputs + " layer needs "
                    + (long) inputs * outputs + " weights, got " + weights.length);
        }
        if (bias.length != outputs) {
            throw new IllegalArgumentException("a layer with " + outputs + " outputs needs "
                    + outputs + " biases, got " + bias.length);
        }
        weights = weights.clone();
        bias = bias.clone();
        for (int k = 0; k < weights.length; k++) {
            if (!Double.isFinite(weights[k])) {
                throw new IllegalArgumentException("weight (" + k / outputs + ", " + k % outputs
                        + ") (input " + k / outputs + " to output " + k % outputs + ") is " + weights[k]);
            }
        }
        for (int j = 0; j < bias.length; j++) {
            if (!Double.isFinite(bias[j])) throw new IllegalArgumentException("bias " + j + " is " + bias[j]);
        }
    }

    /** The weights, row-major {@code inputs × outputs}: a fresh copy. */
    @Override
    public double[] weights() {
        return weights.clone();
    }

    /** The biases, one per output: a fresh copy. */
    @Override
    public double[] bias() {
        return bias.clone();
    }

    /** The weight from input {@code input} to output {@code output} (both 0-based). */
    public double weight(int input, int output) {
        Objects.checkIndex(input, inputs);
        Objects.checkIndex(output, outputs);
        return weights[input * outputs + output];
    }

    /** The bias of output {@code output} (0-based). */
    public double bias(int output) {
        return bias[output];
    }

    /** Number of trainable values: weights and biases. */
    public long parameterCount() {
        return (long) inputs * outputs + outputs;
    }

    /** Equal when the sizes match and every value has the same bits (so 0.0 and −0.0 differ). */
    @Override
    public boolean equals(Object other) {
        return other instanceof LayerWeights that
                && inputs == that.inputs && outputs == that.outputs
                && Arrays.equals(weights, that.weights) && Arrays.equals(bias, that.bias);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * inputs + outputs) + Arrays.hashCode(weights)) + Arrays.hashCode(bias);
    }

    /** The shape, not the values, e.g. {@code LayerWeights[64×1]}. */
    @Override
    public String toString() {
        return "LayerWeights[" + inputs + "×" + outputs + "]";
    }
}
