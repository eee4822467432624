package pinn.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;

/**
 * A reusable block of up to {@code capacity} call points priced together through a
 * {@link PricingNetwork} on a tape: the throughput path, where each layer is one GEMM over the
 * block. Holds its inputs, the transform at each point and the results, so pricing block after
 * block on one thread allocates little. Not thread-safe: one per thread.
 *
 * <p>As in {@link SingleOptionPricer}, the network is carried on jets along its two features
 * (four matrices per layer: value, two tangents, one second derivative) and the chain rule through
 * the transform gives the five Greeks; with Greeks off only the value is carried.
 */
public final class CallBatch {

    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE;

    /** Inputs, one per point: moneyness S/K, expiry τ (years), vol σ and rate r (decimals). */
    public final double[] moneyness, expiry, vol, rate;
    /** The call per unit strike at point i: six numbers from 6·i in {@link Valuation}'s order, strike units. */
    public final double[] perUnitStrike;
    private final SimilarityTransform.Point[] points;
    private final double[] features, unitF0, unitF1;

    public CallBatch(int capacity) {
        moneyness = new double[capacity];
        expiry = new double[capacity];
        vol = new double[capacity];
        rate = new double[capacity];
        perUnitStrike = new double[6 * capacity];
        points = new SimilarityTransform.Point[capacity];
        for (int i = 0; i < capacity; i++) points[i] = new SimilarityTransform.Point();
        features = new double[SimilarityTransform.FEATURES * capacity];
        unitF0 = new double[SimilarityTransform.FEATURES * capacity];
        unitF1 = new double[SimilarityTransform.FEATURES * capacity];
        for (int i = 0; i < capacity; i++) {
            unitF0[2 * i] = 1;
            unitF1[2 * i + 1] = 1;
        }
    }

    public int capacity() {
        return points.length;
    }

    /**
     * Prices the first {@code n} points on {@code tape} into {@link #perUnitStrike}. With
     * {@code greeks} false only the price (index 6·i) is written; the Greeks' slots are NaN.
     */
    public void price(PricingNetwork network, Tape tape, int n, boolean greeks) {
        if (n > capacity()) throw new IllegalArgumentException(n + " points do not fit a batch of " + capacity());
        if (n == 0) return;
        for (int i = 0; i < n; i++) {
            SimilarityTransform.Point p = points[i];
            p.set(moneyness[i], expiry[i], vol[i], rate[i], network.scaling(), greeks);
            features[2 * i] = p.feature0;
            features[2 * i + 1] = p.feature1;
        }
        int cols = SimilarityTransform.FEATURES;
        Tensor x = tape.tensor(n, cols, slice(features, cols * n));
        if (greeks) {
            Jet in = new Jet(x, List.of(tape.tensor(n, cols, slice(unitF0, cols * n)), tape.tensor(n, cols, slice(unitF1, cols * n))),
                    tape.zeros(n, cols));
            Jet h = network.mlp().forwardJet(tape, in);
            MemorySegment value = h.value().segment(), dF0 = h.tangent(0).segment(), dF1 = h.tangent(1).segment(), d2F0 = h.second().segment();
            for (int i = 0; i < n; i++) {
                points[i].perUnitStrike(value.getAtIndex(DOUBLE, i), dF0.getAtIndex(DOUBLE, i), dF1.getAtIndex(DOUBLE, i),
                        d2F0.getAtIndex(DOUBLE, i), perUnitStrike, 6 * i);
            }
        } else {
            MemorySegment h = network.mlp().forward(tape, x).segment();
            for (int i = 0; i < n; i++) {
                SimilarityTransform.Point p = points[i];
                perUnitStrike[6 * i] = p.base + p.coefficient * h.getAtIndex(DOUBLE, i);
                Arrays.fill(perUnitStrike, 6 * i + 1, 6 * i + 6, Double.NaN);
            }
        }
    }

    /** The first {@code length} values: tape tensors copy exactly the array they are given. */
    private static double[] slice(double[] values, int length) {
        return length == values.length ? values : Arrays.copyOf(values, length);
    }
}
