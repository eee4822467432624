package pinn.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import pinn.autodiff.Tensor;
import pinn.kernels.NativeMemory;
import pinn.kernels.SinglePointKernels;

/**
 * The latency path: one option at a time through a {@link PricingNetwork}, price and Greeks in one
 * fused forward pass of Taylor jets ({@link SinglePointKernels}), with no tape, no arena opened and
 * nothing allocated per call.
 *
 * <p>The network is carried on four jet lanes: its output H, the derivatives along its two
 * features, and the second derivative along the first feature ({@link SimilarityTransform.Point}
 * turns those into the five Greeks). Each call borrows a scratch block (jet buffers and the
 * transform's fields) from a lock-free pool and returns it, so any number of threads, platform or
 * virtual, may call at once; the pool keeps as many blocks as were ever in use at the same time, up
 * to {@link #POOLED_SCRATCH}.
 *
 * <p>The pricer reads the network's weights in place: it must not outlive the network. A call
 * after the network was closed throws {@link IllegalStateException}.
 */
public final class SingleOptionPricer implements AutoCloseable {

    /** Scratch blocks kept for reuse; more concurrent callers than this get a block of their own. */
    static final int POOLED_SCRATCH = 64;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE;
    /** Jet lanes with Greeks: H, ∂H/∂f₀, ∂H/∂f₁, ∂²H/∂f₀². */
    private static final int GREEK_LANES = 4;

    private final PricingNetwork network;
    private final Tensor firstWeights;
    private final int[] sizes;
    private final MemorySegment[] weights, biases;
    private final int width;
    private final Arena arena = NativeMemory.sharedArena();
    private final AtomicReferenceArray<Scratch> pool = new AtomicReferenceArray<>(POOLED_SCRATCH);
    private final AtomicInteger scratchCreated = new AtomicInteger();

    /** A pricer over {@code network}'s weights (read in place, not copied). */
    public SingleOptionPricer(PricingNetwork network) {
        this.network = network;
        Mlp mlp = network.mlp();
        this.sizes = mlp.sizes();
        this.firstWeights = mlp.weights().getFirst();
        this.weights = new MemorySegment[mlp.layers()];
        this.biases = new MemorySegment[mlp.layers()];
        int widest = 0;
        for (int l = 0; l < mlp.layers(); l++) {
            weights[l] = mlp.weights().get(l).segment();
            biases[l] = mlp.biases().get(l).segment();
        }
        for (int s : sizes) widest = Math.max(widest, s);
        this.width = widest;
    }

    public PricingNetwork network() {
        return network;
    }

    /**
     * Prices one option and stores it at {@code index} of {@code out}, in the units of
     * {@link Valuation}. With {@code greeks} false only the price is computed (a quarter of the
     * work) and the Greeks are stored as NaN. Inputs are not validated here: they must be finite,
     * positive where {@link pinn.runtime.BlackScholes} requires it, and should lie in the
     * network's domain.
     */
    public void price(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                      ValuationColumns out, int index) {
        if (!firstWeights.isAlive()) throw new IllegalStateException("this pricer's network was closed");
        Scratch scratch = acquire();
        try {
            SimilarityTransform.Point point = scratch.point;
            point.set(spot / strike, expiry, vol, rate, network.scaling(), greeks);
            if (greeks) {
                runNetwork(scratch, point, GREEK_LANES);
                MemorySegment h = scratch.preActivation;
                point.perUnitStrike(h.getAtIndex(DOUBLE, 0), h.getAtIndex(DOUBLE, 1), h.getAtIndex(DOUBLE, 2), h.getAtIndex(DOUBLE, 3),
                        scratch.perUnitStrike, 0);
                out.setFromPerUnitStrike(index, type, spot, strike, expiry, rate, scratch.perUnitStrike, 0);
            } else {
                runNetwork(scratch, point, 1);
                out.setPriceFromPerUnitStrike(index, type, spot, strike, expiry, rate,
                        point.base + point.coefficient * scratch.preActivation.getAtIndex(DOUBLE, 0));
            }
        } finally {
            release(scratch);
        }
    }

    /** The layers on {@code lanes} jet lanes; the output lands in {@link Scratch#preActivation}. */
    private void runNetwork(Scratch scratch, SimilarityTransform.Point point, int lanes) {
        MemorySegment x = scratch.activation, a = scratch.preActivation;
        x.setAtIndex(DOUBLE, 0, point.feature0);
        x.setAtIndex(DOUBLE, 1, point.feature1);
        if (lanes == GREEK_LANES) {
            // Tangent lanes are the unit vectors of the two features; the second-derivative lane starts at zero.
            x.setAtIndex(DOUBLE, 2, 1);
            x.setAtIndex(DOUBLE, 3, 0);
            x.setAtIndex(DOUBLE, 4, 0);
            x.setAtIndex(DOUBLE, 5, 1);
            x.setAtIndex(DOUBLE, 6, 0);
            x.setAtIndex(DOUBLE, 7, 0);
        }
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            SinglePointKernels.affine(x, lanes, sizes[l], weights[l], biases[l], sizes[l + 1], a);
            if (l + 1 < layers) SinglePointKernels.tanhJet(a, sizes[l + 1], lanes == 1 ? 0 : 2, lanes != 1, x);
        }
    }

    private Scratch acquire() {
        int start = (int) (Thread.currentThread().threadId() & (POOLED_SCRATCH - 1));
        for (int k = 0; k < POOLED_SCRATCH; k++) {
            int slot = (start + k) & (POOLED_SCRATCH - 1);
            Scratch s = pool.getAndSet(slot, null);
            if (s != null) return s;
        }
        return new Scratch(arenaForNewScratch());
    }

    private void release(Scratch scratch) {
        int start = (int) (Thread.currentThread().threadId() & (POOLED_SCRATCH - 1));
        for (int k = 0; k < POOLED_SCRATCH; k++) {
            if (pool.compareAndSet((start + k) & (POOLED_SCRATCH - 1), null, scratch)) return;
        }
        // the pool is full: this block was an overflow one and the garbage collector frees it
    }

    /** The pricer's own arena for the first blocks; beyond what the pool keeps, memory the garbage collector frees. */
    private Arena arenaForNewScratch() {
        return scratchCreated.getAndIncrement() < POOLED_SCRATCH ? arena : Arena.ofAuto();
    }

    /** Frees the scratch blocks. The network is not closed: it belongs to the caller. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    /** One caller's working memory: the jet before and after each activation, and the transform's fields. */
    private final class Scratch {
        final MemorySegment activation, preActivation;
        final SimilarityTransform.Point point = new SimilarityTransform.Point();
        final double[] perUnitStrike = new double[6];

        Scratch(Arena memory) {
            long bytes = (long) GREEK_LANES * width * Double.BYTES;
            activation = memory.allocate(bytes, 64);
            preActivation = memory.allocate(bytes, 64);
        }
    }
}
