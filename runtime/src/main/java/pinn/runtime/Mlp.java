package pinn.runtime;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;

/**
 * A multilayer perceptron: tanh hidden layers, a linear output layer, float64 parameters.
 *
 * <p>Layer {@code l} maps a batch h (rows are points) to h·Wₗ + bₗ, with Wₗ of shape
 * sizes[l] × sizes[l+1] and bₗ of shape 1 × sizes[l+1]. The parameters live in a shared arena
 * that the model owns: they outlive every tape, any thread may read them, and {@link #close()}
 * frees them. Updates (optimiser steps, loading) must not run while another thread evaluates.
 */
public final class Mlp implements AutoCloseable {

    private final Backend backend;
    private final int[] sizes;
    private final Arena arena = NativeMemory.sharedArena();
    private final List<Tensor> weights = new ArrayList<>();
    private final List<Tensor> biases = new ArrayList<>();

    /**
     * A network with the given layer sizes (e.g. {4, 64, 64, 64, 64, 1}) and deterministic
     * Xavier/Glorot-uniform weights drawn from {@code seed}: Wₗ ~ U(−a, a) with
     * a = √(6 / (fan_in + fan_out)), which keeps tanh activations in their responsive range.
     * Biases start at zero.
     */
    public Mlp(Backend backend, int[] sizes, long seed) {
        if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least input and output sizes, got " + Arrays.toString(sizes));
        for (int s : sizes) if (s < 1) throw new IllegalArgumentException("layer sizes must be >= 1, got " + Arrays.toString(sizes));
        this.backend = backend;
        this.sizes = sizes.clone();
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 0; l < layers(); l++) {
            int in = sizes[l], out = sizes[l + 1];
            double limit = Math.sqrt(6.0 / (in + out));
            double[] w = new double[in * out];
            for (int i = 0; i < w.length; i++) w[i] = limit * (2 * random.nextDouble() - 1);
            weights.add(Tensor.of(backend, arena, in, out, w));
            biases.add(Tensor.zeros(backend, arena, 1, out));
        }
    }

    /** A network with the given layer sizes and parameters, in the order of {@link #exportParameters()}. */
    public static Mlp fromParameters(Backend backend, int[] sizes, double[] parameters) {
        Mlp mlp = new Mlp(backend, sizes, 0);
        mlp.loadParameters(parameters);
        return mlp;
    }

    public Backend backend() {
        return backend;
    }

    /** The layer sizes, input first. */
    public int[] sizes() {
        return sizes.clone();
    }

    /** The number of affine layers (one fewer than the sizes). */
    public int layers() {
        return sizes.length - 1;
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    /** Wₗ, of shape sizes[l] × sizes[l+1], for each layer l. */
    public List<Tensor> weights() {
        return List.copyOf(weights);
    }

    /** bₗ, of shape 1 × sizes[l+1], for each layer l. */
    public List<Tensor> biases() {
        return List.copyOf(biases);
    }

    /** All parameters in a fixed order: W₀, b₀, W₁, b₁, … (for optimisers and model files). */
    public List<Tensor> parameters() {
        List<Tensor> all = new ArrayList<>(2 * layers());
        for (int l = 0; l < layers(); l++) {
            all.add(weights.get(l));
            all.add(biases.get(l));
        }
        return all;
    }

    /** The total number of parameters. */
    public int parameterCount() {
        int n = 0;
        for (Tensor p : parameters()) n += p.size();
        return n;
    }

    /** Every parameter, flattened in the order of {@link #parameters()}, each row-major. */
    public double[] exportParameters() {
        double[] flat = new double[parameterCount()];
        int offset = 0;
        for (Tensor p : parameters()) {
            System.arraycopy(p.toArray(), 0, flat, offset, p.size());
            offset += p.size();
        }
        return flat;
    }

    /** Overwrites every parameter from a flat array laid out as {@link #exportParameters()}. */
    public void loadParameters(double[] flat) {
        if (flat.length != parameterCount()) {
            throw new IllegalArgumentException("this " + Arrays.toString(sizes) + " network has " + parameterCount()
                    + " parameters, got " + flat.length);
        }
        int offset = 0;
        for (Tensor p : parameters()) {
            p.copyFrom(Arrays.copyOfRange(flat, offset, offset + p.size()));
            offset += p.size();
        }
    }

    /** The outputs (points × outputSize) for a batch of inputs (points × inputSize), recorded on the tape. */
    public Tensor forward(Tape tape, Tensor x) {
        requireInputs(x);
        Tensor h = x;
        for (int l = 0; l < layers(); l++) {
            h = tape.linear(h, weights.get(l), biases.get(l));
            if (l + 1 < layers()) h = tape.tanh(h);
        }
        return h;
    }

    /**
     * The same network carried on a Taylor jet: outputs with their input derivatives. The jet is
     * stacked into one matrix ({@link Jet#stack}), so that a hidden layer is one fused op
     * ({@link Tape#tanhJetLinear}: one GEMM over all the jet's components, the chain rule through
     * tanh applied while the product is in cache, the pre-activation never stored) and the output
     * layer one GEMM ({@link Tape#jetLinear}). The same bits as {@link #forwardJetByComponents},
     * in a few large ops instead of many small ones.
     */
    public Jet forwardJet(Tape tape, Jet x) {
        requireInputs(x.value());
        int blocks = x.directions() + 2;
        Tensor h = x.stack(tape);
        for (int l = 0; l + 1 < layers(); l++) h = tape.tanhJetLinear(h, weights.get(l), biases.get(l), x.directions());
        h = tape.jetLinear(h, weights.getLast(), biases.getLast(), blocks);
        return Jet.unstack(tape, h, x.directions());
    }

    /**
     * {@link #forwardJet}'s values computed component by component ({@link Jet#linear},
     * {@link Jet#tanh}): a GEMM per component and an op per elementary function. The same bits;
     * kept as the reference the stacked pass is tested and benchmarked against.
     */
    public Jet forwardJetByComponents(Tape tape, Jet x) {
        requireInputs(x.value());
        Jet h = x;
        for (int l = 0; l < layers(); l++) {
            h = h.linear(tape, weights.get(l), biases.get(l));
            if (l + 1 < layers()) h = h.tanh(tape);
        }
        return h;
    }

    /** A zeroed tensor in the model's arena, e.g. for optimiser state that lives as long as the model. */
    Tensor allocate(int rows, int cols) {
        return Tensor.zeros(backend, arena, rows, cols);
    }

    /** Frees the parameters (and any optimiser state held with them). */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    private void requireInputs(Tensor x) {
        if (x.cols() != inputSize()) {
            throw new IllegalArgumentException("this network takes " + inputSize() + " inputs per point, got " + x.shape());
        }
    }
}
