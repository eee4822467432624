package pinn.kernels;

import static pinn.kernels.GemmKernels.DOUBLE;
import static pinn.kernels.GemmKernels.LANES;
import static pinn.kernels.GemmKernels.ORDER;
import static pinn.kernels.GemmKernels.SPECIES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Kernels for one point carried through a dense tanh network as a Taylor jet: a handful of
 * vectors ("jet lanes", each as long as a layer) instead of a batch matrix. Lane 0 holds values,
 * lanes 1 … {@code tangents} first derivatives along input directions, and an optional last lane
 * the second derivative along the direction of lane 1.
 *
 * <p>This is the latency path: at one point a GEMM has nothing to block over, so each layer is a
 * vector–matrix product that reads every weight once for all lanes. All memory is native and
 * the caller's to reuse, so a call allocates nothing.
 */
public final class SinglePointKernels {

    private SinglePointKernels() {}

    /**
     * y = x·W (+ b on lane 0 only: a bias is constant, so it has no derivatives), for
     * {@code lanes} row vectors at once. x is lanes × in, W in × out, b 1 × out, y lanes × out,
     * all row-major, y distinct from x.
     */
    public static void affine(MemorySegment x, int lanes, int in, MemorySegment w, MemorySegment b, int out, MemorySegment y) {
        if (out < LANES) {
            affineNarrow(x, lanes, in, w, b, out, y);
            return;
        }
        int j = 0;
        // Two output vectors per pass: 2·lanes accumulators and two weight vectors stay in registers.
        for (; j + 2 * LANES <= out; j += 2 * LANES) {
            for (int lane = 0; lane < lanes; lane++) {
                DoubleVector acc0 = lane == 0 ? load(b, j) : DoubleVector.zero(SPECIES);
                DoubleVector acc1 = lane == 0 ? load(b, j + LANES) : DoubleVector.zero(SPECIES);
                long xRow = (long) lane * in;
                for (int i = 0; i < in; i++) {
                    DoubleVector xi = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, xRow + i));
                    long wRow = (long) i * out + j;
                    acc0 = load(w, wRow).fma(xi, acc0);
                    acc1 = load(w, wRow + LANES).fma(xi, acc1);
                }
                acc0.intoMemorySegment(y, ((long) lane * out + j) * 8, ORDER);
                acc1.intoMemorySegment(y, ((long) lane * out + j + LANES) * 8, ORDER);
            }
        }
        for (; j + LANES <= out; j += LANES) {
            for (int lane = 0; lane < lanes; lane++) {
                DoubleVector acc = lane == 0 ? load(b, j) : DoubleVector.zero(SPECIES);
                for (int i = 0; i < in; i++) {
                    acc = load(w, (long) i * out + j).fma(DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, (long) lane * in + i)), acc);
                }
                acc.intoMemorySegment(y, ((long) lane * out + j) * 8, ORDER);
            }
        }
        for (; j < out; j++) {
            for (int lane = 0; lane < lanes; lane++) {
                double acc = lane == 0 ? b.getAtIndex(DOUBLE, j) : 0;
                for (int i = 0; i < in; i++) acc = Math.fma(x.getAtIndex(DOUBLE, (long) lane * in + i), w.getAtIndex(DOUBLE, (long) i * out + j), acc);
                y.setAtIndex(DOUBLE, (long) lane * out + j, acc);
            }
        }
    }

    /** Few outputs (the last layer): dot products vectorised along the inputs instead. */
    private static void affineNarrow(MemorySegment x, int lanes, int in, MemorySegment w, MemorySegment b, int out, MemorySegment y) {
        int vectorEnd = SPECIES.loopBound(in);
        for (int j = 0; j < out; j++) {
            for (int lane = 0; lane < lanes; lane++) {
                long xRow = (long) lane * in;
                double acc;
                if (out == 1) {
                    DoubleVector sum = DoubleVector.zero(SPECIES);
                    for (int i = 0; i < vectorEnd; i += LANES) sum = load(x, xRow + i).fma(load(w, i), sum);
                    acc = sum.reduceLanes(VectorOperators.ADD);
                    for (int i = vectorEnd; i < in; i++) acc = Math.fma(x.getAtIndex(DOUBLE, xRow + i), w.getAtIndex(DOUBLE, i), acc);
                } else {
                    acc = 0;
                    for (int i = 0; i < in; i++) acc = Math.fma(x.getAtIndex(DOUBLE, xRow + i), w.getAtIndex(DOUBLE, (long) i * out + j), acc);
                }
                y.setAtIndex(DOUBLE, (long) lane * out + j, lane == 0 ? acc + b.getAtIndex(DOUBLE, j) : acc);
            }
        }
    }

    /**
     * The jet of tanh applied to the jet {@code a} (lanes × n, row-major): y = tanh a,
     * yₖ = (1 − y²)·aₖ for each tangent lane, and, when {@code withSecond}, the last lane
     * y'' = (1 − y²)·a'' − 2y(1 − y²)·a₁², a₁ being the first tangent. {@code y} may not be {@code a}.
     *
     * @param tangents the number of tangent lanes (0 for values only)
     */
    public static void tanhJet(MemorySegment a, int n, int tangents, boolean withSecond, MemorySegment y) {
        if (withSecond && tangents == 0) throw new IllegalArgumentException("a second derivative needs a tangent lane");
        VectorMath.tanh(0, n, a, y);
        int secondLane = 1 + tangents;
        int i = 0;
        for (int end = SPECIES.loopBound(n); i < end; i += LANES) {
            DoubleVector t = load(y, i);
            DoubleVector d1 = t.mul(t).neg().add(1.0);
            if (withSecond) {
                DoubleVector a1 = load(a, (long) n + i);
                DoubleVector d2 = t.mul(d1).mul(-2.0);
                d1.mul(load(a, (long) secondLane * n + i)).add(d2.mul(a1).mul(a1))
                        .intoMemorySegment(y, ((long) secondLane * n + i) * 8, ORDER);
            }
            for (int k = 1; k <= tangents; k++) d1.mul(load(a, (long) k * n + i)).intoMemorySegment(y, ((long) k * n + i) * 8, ORDER);
        }
        for (; i < n; i++) {
            double t = y.getAtIndex(DOUBLE, i), d1 = 1 - t * t;
            if (withSecond) {
                double a1 = a.getAtIndex(DOUBLE, (long) n + i);
                y.setAtIndex(DOUBLE, (long) secondLane * n + i, d1 * a.getAtIndex(DOUBLE, (long) secondLane * n + i) + (-2 * t * d1) * a1 * a1);
            }
            for (int k = 1; k <= tangents; k++) y.setAtIndex(DOUBLE, (long) k * n + i, d1 * a.getAtIndex(DOUBLE, (long) k * n + i));
        }
    }

    private static DoubleVector load(MemorySegment s, long index) {
        return DoubleVector.fromMemorySegment(SPECIES, s, index * 8, ORDER);
    }
}
