package pinn.kernels;

import static pinn.kernels.GemmKernels.DOUBLE;
import static pinn.kernels.GemmKernels.LANES;
import static pinn.kernels.GemmKernels.ORDER;
import static pinn.kernels.GemmKernels.SPECIES;
import static jdk.incubator.vector.DoubleVector.fromMemorySegment;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;

/**
 * Vectorised elementwise loops over the index range [from, to), with scalar tails.
 *
 * <p>They evaluate exactly the reference formula, operation by operation (no fusing that the
 * reference does not do), so their results are bit-identical to {@link ReferenceBackend}, except
 * rowSums, which adds lanes of vectors first. exp, log and tanh are in {@link VectorMath}.
 *
 * <p>The loops call the Vector API directly rather than small helpers: C2 always inlines the API's
 * own methods, but may refuse an ordinary helper when the caller has grown large, and then every
 * vector passed to the helper is boxed on the heap.
 */
final class Elementwise {

    private Elementwise() {}

    private static double get(MemorySegment s, long i) {
        return s.get(DOUBLE, i * 8);
    }

    private static void set(MemorySegment s, long i, double v) {
        s.set(DOUBLE, i * 8, v);
    }

    /** The end of the whole vectors in [from, to). */
    private static int vectorEnd(int from, int to) {
        return from + SPECIES.loopBound(to - from);
    }

    static void add(int from, int to, MemorySegment x, MemorySegment y, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            fromMemorySegment(SPECIES, x, o, ORDER).add(fromMemorySegment(SPECIES, y, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, get(x, i) + get(y, i));
    }

    static void sub(int from, int to, MemorySegment x, MemorySegment y, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            fromMemorySegment(SPECIES, x, o, ORDER).sub(fromMemorySegment(SPECIES, y, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, get(x, i) - get(y, i));
    }

    static void mul(int from, int to, MemorySegment x, MemorySegment y, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            fromMemorySegment(SPECIES, x, o, ORDER).mul(fromMemorySegment(SPECIES, y, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, get(x, i) * get(y, i));
    }

    static void div(int from, int to, MemorySegment x, MemorySegment y, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            fromMemorySegment(SPECIES, x, o, ORDER).div(fromMemorySegment(SPECIES, y, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, get(x, i) / get(y, i));
    }

    static void mulAdd(int from, int to, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            DoubleVector product = fromMemorySegment(SPECIES, x, o, ORDER);
            product.fma(fromMemorySegment(SPECIES, y, o, ORDER), fromMemorySegment(SPECIES, z, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, Math.fma(get(x, i), get(y, i), get(z, i)));
    }

    static void scale(int from, int to, double alpha, MemorySegment x, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            fromMemorySegment(SPECIES, x, o, ORDER).mul(alpha).intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, alpha * get(x, i));
    }

    static void addScalar(int from, int to, double alpha, MemorySegment x, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            fromMemorySegment(SPECIES, x, o, ORDER).add(alpha).intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, get(x, i) + alpha);
    }

    static void square(int from, int to, MemorySegment x, MemorySegment out) {
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            DoubleVector v = fromMemorySegment(SPECIES, x, o, ORDER);
            v.mul(v).intoMemorySegment(out, o, ORDER);
        }
        for (; i < to; i++) set(out, i, get(x, i) * get(x, i));
    }

    static void fill(int from, int to, double value, MemorySegment out) {
        DoubleVector v = DoubleVector.broadcast(SPECIES, value);
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) v.intoMemorySegment(out, i * 8L, ORDER);
        for (; i < to; i++) set(out, i, value);
    }

    /** The order-th derivative of tanh from t = tanh x, in the reference's operation order. */
    static void tanhDerivative(int order, int from, int to, MemorySegment t, MemorySegment out) {
        int i = from;
        int end = vectorEnd(from, to);
        DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        switch (order) {
            case 1 -> {
                for (; i < end; i += LANES) {
                    long o = i * 8L;
                    DoubleVector v = fromMemorySegment(SPECIES, t, o, ORDER);
                    one.sub(v.mul(v)).intoMemorySegment(out, o, ORDER);
                }
                for (; i < to; i++) {
                    double v = get(t, i);
                    set(out, i, 1 - v * v);
                }
            }
            case 2 -> {
                for (; i < end; i += LANES) {
                    long o = i * 8L;
                    DoubleVector v = fromMemorySegment(SPECIES, t, o, ORDER);
                    v.mul(-2.0).mul(one.sub(v.mul(v))).intoMemorySegment(out, o, ORDER);
                }
                for (; i < to; i++) {
                    double v = get(t, i);
                    set(out, i, -2 * v * (1 - v * v));
                }
            }
            case 3 -> {
                for (; i < end; i += LANES) {
                    long o = i * 8L;
                    DoubleVector v = fromMemorySegment(SPECIES, t, o, ORDER);
                    DoubleVector d1 = one.sub(v.mul(v));
                    d1.mul(-2.0).mul(one.sub(v.mul(3.0).mul(v))).intoMemorySegment(out, o, ORDER);
                }
                for (; i < to; i++) {
                    double v = get(t, i);
                    double d1 = 1 - v * v;
                    set(out, i, -2 * d1 * (1 - 3 * v * v));
                }
            }
            default -> throw new IllegalArgumentException("tanh derivative order must be 1, 2 or 3, was " + order);
        }
    }

    /** out[r][c] = x[r][c] + v[c] for rows [from, to). */
    static void addRowVector(int from, int to, int cols, MemorySegment x, MemorySegment v, MemorySegment out) {
        int vectorCols = SPECIES.loopBound(cols);
        for (int r = from; r < to; r++) {
            long row = (long) r * cols * 8;
            int c = 0;
            for (; c < vectorCols; c += LANES) {
                long o = c * 8L;
                fromMemorySegment(SPECIES, x, row + o, ORDER).add(fromMemorySegment(SPECIES, v, o, ORDER))
                        .intoMemorySegment(out, row + o, ORDER);
            }
            for (; c < cols; c++) out.set(DOUBLE, row + c * 8L, x.get(DOUBLE, row + c * 8L) + get(v, c));
        }
    }

    /**
     * out[c] (+)= Σ_r x[r][c] over rows [from, to), each column summed in row order like the
     * reference; {@code accumulate} adds to out instead of starting from zero.
     */
    static void columnSums(int from, int to, int cols, MemorySegment x, MemorySegment out, boolean accumulate) {
        long rowBytes = cols * 8L;
        int c = 0;
        // 4 vectors of columns at a time: four independent add chains per row
        for (; c + 4 * LANES <= cols; c += 4 * LANES) {
            long o = c * 8L, o1 = o + GemmKernels.VECTOR_BYTES, o2 = o1 + GemmKernels.VECTOR_BYTES,
                    o3 = o2 + GemmKernels.VECTOR_BYTES;
            DoubleVector s0, s1, s2, s3;
            if (accumulate) {
                s0 = fromMemorySegment(SPECIES, out, o, ORDER);
                s1 = fromMemorySegment(SPECIES, out, o1, ORDER);
                s2 = fromMemorySegment(SPECIES, out, o2, ORDER);
                s3 = fromMemorySegment(SPECIES, out, o3, ORDER);
            } else {
                s0 = s1 = s2 = s3 = DoubleVector.zero(SPECIES);
            }
            for (int r = from; r < to; r++) {
                long row = r * rowBytes;
                s0 = s0.add(fromMemorySegment(SPECIES, x, row + o, ORDER));
                s1 = s1.add(fromMemorySegment(SPECIES, x, row + o1, ORDER));
                s2 = s2.add(fromMemorySegment(SPECIES, x, row + o2, ORDER));
                s3 = s3.add(fromMemorySegment(SPECIES, x, row + o3, ORDER));
            }
            s0.intoMemorySegment(out, o, ORDER);
            s1.intoMemorySegment(out, o1, ORDER);
            s2.intoMemorySegment(out, o2, ORDER);
            s3.intoMemorySegment(out, o3, ORDER);
        }
        for (; c < cols; c += LANES) {
            VectorMask<Double> mask = SPECIES.indexInRange(c, cols);
            long o = c * 8L;
            DoubleVector s = accumulate ? fromMemorySegment(SPECIES, out, o, ORDER, mask) : DoubleVector.zero(SPECIES);
            for (int r = from; r < to; r++) s = s.add(fromMemorySegment(SPECIES, x, r * rowBytes + o, ORDER, mask));
            s.intoMemorySegment(out, o, ORDER, mask);
        }
    }

    /** out[r] = Σ_c x[r][c] for rows [from, to): whole vectors of columns summed, then their lanes in order, then the tail. */
    static void rowSums(int from, int to, int cols, MemorySegment x, MemorySegment out) {
        int vectorCols = SPECIES.loopBound(cols);
        for (int r = from; r < to; r++) {
            long row = (long) r * cols * 8;
            double sum = 0;
            if (vectorCols > 0) {
                DoubleVector s = fromMemorySegment(SPECIES, x, row, ORDER);
                for (int c = LANES; c < vectorCols; c += LANES) {
                    s = s.add(fromMemorySegment(SPECIES, x, row + c * 8L, ORDER));
                }
                for (int lane = 0; lane < LANES; lane++) sum += s.lane(lane);
            }
            for (int c = vectorCols; c < cols; c++) sum += x.get(DOUBLE, row + c * 8L);
            set(out, r, sum);
        }
    }

    /** One Adam step over [from, to), in the reference's operation order. */
    static void adam(int from, int to, MemorySegment params, MemorySegment grads, MemorySegment firstMoment,
                     MemorySegment secondMoment, AdamConfig config, double correction1, double correction2) {
        double beta1 = config.beta1(), beta2 = config.beta2(), rate = config.learningRate(), eps = config.epsilon();
        double oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2;
        int i = from;
        for (int end = vectorEnd(from, to); i < end; i += LANES) {
            long o = i * 8L;
            DoubleVector g = fromMemorySegment(SPECIES, grads, o, ORDER);
            DoubleVector m = fromMemorySegment(SPECIES, firstMoment, o, ORDER).mul(beta1).add(g.mul(oneMinusBeta1));
            DoubleVector v = fromMemorySegment(SPECIES, secondMoment, o, ORDER).mul(beta2)
                    .add(g.mul(oneMinusBeta2).mul(g));
            m.intoMemorySegment(firstMoment, o, ORDER);
            v.intoMemorySegment(secondMoment, o, ORDER);
            DoubleVector mHat = m.div(correction1);
            DoubleVector vHat = v.div(correction2);
            DoubleVector step = mHat.mul(rate).div(vHat.sqrt().add(eps));
            fromMemorySegment(SPECIES, params, o, ORDER).sub(step).intoMemorySegment(params, o, ORDER);
        }
        for (; i < to; i++) {
            double g = get(grads, i);
            double m = beta1 * get(firstMoment, i) + oneMinusBeta1 * g;
            double v = beta2 * get(secondMoment, i) + oneMinusBeta2 * g * g;
            set(firstMoment, i, m);
            set(secondMoment, i, v);
            double mHat = m / correction1;
            double vHat = v / correction2;
            set(params, i, get(params, i) - rate * mHat / (Math.sqrt(vHat) + eps));
        }
    }
}
