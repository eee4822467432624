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
 * the caller's to reuse, so a call allocates nothing. Loads and stores are written out in place
 * rather than through helpers taking or returning a vector (the rule of {@link GemmKernels}): with
 * sixteen accumulators live, a store helper was not always inlined and every vector crossing it
 * was boxed on the heap (9 KB per call, found by {@code -prof gc}).
 */
public final class SinglePointKernels {

    private SinglePointKernels() {}

    /**
     * y = x·W (+ b on lane 0 only: a bias is constant, so it has no derivatives), for
     * {@code lanes} row vectors at once. x is lanes × in, W in × out, b 1 × out, y lanes × out,
     * all row-major, y distinct from x.
     */
    public static void affine(MemorySegment x, int lanes, int in, MemorySegment w, MemorySegment b, int out, MemorySegment y) {
        if (lanes == 4 && out % (4 * LANES) == 0) {
            affineFourLanes(x, in, w, b, out, y);
        } else if (lanes == 1 && out % (4 * LANES) == 0) {
            affineOneLane(x, in, w, b, out, y);
        } else if (out < LANES) {
            affineNarrow(x, lanes, in, w, b, out, y);
        } else {
            affineAnyLanes(x, lanes, in, w, b, out, y);
        }
    }

    /**
     * Four lanes (a value, two tangents, a second derivative), 4 output vectors at a time: 16
     * accumulators, and each weight vector loaded once for the four lanes.
     */
    private static void affineFourLanes(MemorySegment x, int in, MemorySegment w, MemorySegment b, int out, MemorySegment y) {
        for (int j = 0; j < out; j += 4 * LANES) {
            DoubleVector v0 = DoubleVector.fromMemorySegment(SPECIES, b, j * 8L, ORDER), v1 = DoubleVector.fromMemorySegment(SPECIES, b, (j + LANES) * 8L, ORDER), v2 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 2 * LANES) * 8L, ORDER), v3 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 3 * LANES) * 8L, ORDER);
            DoubleVector p0 = DoubleVector.zero(SPECIES), p1 = p0, p2 = p0, p3 = p0;
            DoubleVector q0 = p0, q1 = p0, q2 = p0, q3 = p0;
            DoubleVector s0 = p0, s1 = p0, s2 = p0, s3 = p0;
            for (int i = 0; i < in; i++) {
                long wRow = (long) i * out + j;
                DoubleVector w0 = DoubleVector.fromMemorySegment(SPECIES, w, wRow * 8L, ORDER), w1 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + LANES) * 8L, ORDER), w2 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 2 * LANES) * 8L, ORDER), w3 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 3 * LANES) * 8L, ORDER);
                DoubleVector xv = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, i));
                DoubleVector xp = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, (long) in + i));
                DoubleVector xq = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, 2L * in + i));
                DoubleVector xs = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, 3L * in + i));
                v0 = w0.fma(xv, v0); v1 = w1.fma(xv, v1); v2 = w2.fma(xv, v2); v3 = w3.fma(xv, v3);
                p0 = w0.fma(xp, p0); p1 = w1.fma(xp, p1); p2 = w2.fma(xp, p2); p3 = w3.fma(xp, p3);
                q0 = w0.fma(xq, q0); q1 = w1.fma(xq, q1); q2 = w2.fma(xq, q2); q3 = w3.fma(xq, q3);
                s0 = w0.fma(xs, s0); s1 = w1.fma(xs, s1); s2 = w2.fma(xs, s2); s3 = w3.fma(xs, s3);
            }
            v0.intoMemorySegment(y, (j) * 8L, ORDER); v1.intoMemorySegment(y, (j + LANES) * 8L, ORDER); v2.intoMemorySegment(y, (j + 2 * LANES) * 8L, ORDER); v3.intoMemorySegment(y, (j + 3 * LANES) * 8L, ORDER);
            long o = out;
            p0.intoMemorySegment(y, (o + j) * 8L, ORDER); p1.intoMemorySegment(y, (o + j + LANES) * 8L, ORDER); p2.intoMemorySegment(y, (o + j + 2 * LANES) * 8L, ORDER); p3.intoMemorySegment(y, (o + j + 3 * LANES) * 8L, ORDER);
            q0.intoMemorySegment(y, (2 * o + j) * 8L, ORDER); q1.intoMemorySegment(y, (2 * o + j + LANES) * 8L, ORDER); q2.intoMemorySegment(y, (2 * o + j + 2 * LANES) * 8L, ORDER); q3.intoMemorySegment(y, (2 * o + j + 3 * LANES) * 8L, ORDER);
            s0.intoMemorySegment(y, (3 * o + j) * 8L, ORDER); s1.intoMemorySegment(y, (3 * o + j + LANES) * 8L, ORDER); s2.intoMemorySegment(y, (3 * o + j + 2 * LANES) * 8L, ORDER); s3.intoMemorySegment(y, (3 * o + j + 3 * LANES) * 8L, ORDER);
        }
    }

    /**
     * One lane (values only). An FMA takes 4 cycles and two can start per cycle, so it takes 8
     * independent accumulators to keep the units busy: 8 output vectors at a time when the width
     * allows (64 outputs on AVX-512), else 4.
     */
    private static void affineOneLane(MemorySegment x, int in, MemorySegment w, MemorySegment b, int out, MemorySegment y) {
        int j = 0;
        for (; j + 8 * LANES <= out; j += 8 * LANES) {
            DoubleVector v0 = DoubleVector.fromMemorySegment(SPECIES, b, j * 8L, ORDER), v1 = DoubleVector.fromMemorySegment(SPECIES, b, (j + LANES) * 8L, ORDER), v2 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 2 * LANES) * 8L, ORDER), v3 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 3 * LANES) * 8L, ORDER);
            DoubleVector v4 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 4 * LANES) * 8L, ORDER), v5 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 5 * LANES) * 8L, ORDER), v6 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 6 * LANES) * 8L, ORDER), v7 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 7 * LANES) * 8L, ORDER);
            for (int i = 0; i < in; i++) {
                long wRow = (long) i * out + j;
                DoubleVector xv = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, i));
                v0 = DoubleVector.fromMemorySegment(SPECIES, w, wRow * 8L, ORDER).fma(xv, v0);
                v1 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + LANES) * 8L, ORDER).fma(xv, v1);
                v2 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 2 * LANES) * 8L, ORDER).fma(xv, v2);
                v3 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 3 * LANES) * 8L, ORDER).fma(xv, v3);
                v4 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 4 * LANES) * 8L, ORDER).fma(xv, v4);
                v5 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 5 * LANES) * 8L, ORDER).fma(xv, v5);
                v6 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 6 * LANES) * 8L, ORDER).fma(xv, v6);
                v7 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 7 * LANES) * 8L, ORDER).fma(xv, v7);
            }
            v0.intoMemorySegment(y, (j) * 8L, ORDER); v1.intoMemorySegment(y, (j + LANES) * 8L, ORDER); v2.intoMemorySegment(y, (j + 2 * LANES) * 8L, ORDER); v3.intoMemorySegment(y, (j + 3 * LANES) * 8L, ORDER);
            v4.intoMemorySegment(y, (j + 4 * LANES) * 8L, ORDER); v5.intoMemorySegment(y, (j + 5 * LANES) * 8L, ORDER); v6.intoMemorySegment(y, (j + 6 * LANES) * 8L, ORDER); v7.intoMemorySegment(y, (j + 7 * LANES) * 8L, ORDER);
        }
        for (; j < out; j += 4 * LANES) {
            DoubleVector v0 = DoubleVector.fromMemorySegment(SPECIES, b, j * 8L, ORDER), v1 = DoubleVector.fromMemorySegment(SPECIES, b, (j + LANES) * 8L, ORDER), v2 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 2 * LANES) * 8L, ORDER), v3 = DoubleVector.fromMemorySegment(SPECIES, b, (j + 3 * LANES) * 8L, ORDER);
            for (int i = 0; i < in; i++) {
                long wRow = (long) i * out + j;
                DoubleVector xv = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, i));
                v0 = DoubleVector.fromMemorySegment(SPECIES, w, wRow * 8L, ORDER).fma(xv, v0);
                v1 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + LANES) * 8L, ORDER).fma(xv, v1);
                v2 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 2 * LANES) * 8L, ORDER).fma(xv, v2);
                v3 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + 3 * LANES) * 8L, ORDER).fma(xv, v3);
            }
            v0.intoMemorySegment(y, (j) * 8L, ORDER); v1.intoMemorySegment(y, (j + LANES) * 8L, ORDER); v2.intoMemorySegment(y, (j + 2 * LANES) * 8L, ORDER); v3.intoMemorySegment(y, (j + 3 * LANES) * 8L, ORDER);
        }
    }

    /** Any lane count and width: one or two output vectors at a time, then a scalar tail. */
    private static void affineAnyLanes(MemorySegment x, int lanes, int in, MemorySegment w, MemorySegment b, int out, MemorySegment y) {
        int j = 0;
        // Two output vectors per pass: 2·lanes accumulators and two weight vectors stay in registers.
        for (; j + 2 * LANES <= out; j += 2 * LANES) {
            for (int lane = 0; lane < lanes; lane++) {
                DoubleVector acc0 = lane == 0 ? DoubleVector.fromMemorySegment(SPECIES, b, j * 8L, ORDER) : DoubleVector.zero(SPECIES);
                DoubleVector acc1 = lane == 0 ? DoubleVector.fromMemorySegment(SPECIES, b, (j + LANES) * 8L, ORDER) : DoubleVector.zero(SPECIES);
                long xRow = (long) lane * in;
                for (int i = 0; i < in; i++) {
                    DoubleVector xi = DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, xRow + i));
                    long wRow = (long) i * out + j;
                    acc0 = DoubleVector.fromMemorySegment(SPECIES, w, wRow * 8L, ORDER).fma(xi, acc0);
                    acc1 = DoubleVector.fromMemorySegment(SPECIES, w, (wRow + LANES) * 8L, ORDER).fma(xi, acc1);
                }
                acc0.intoMemorySegment(y, ((long) lane * out + j) * 8L, ORDER);
                acc1.intoMemorySegment(y, ((long) lane * out + j + LANES) * 8L, ORDER);
            }
        }
        for (; j + LANES <= out; j += LANES) {
            for (int lane = 0; lane < lanes; lane++) {
                DoubleVector acc = lane == 0 ? DoubleVector.fromMemorySegment(SPECIES, b, j * 8L, ORDER) : DoubleVector.zero(SPECIES);
                for (int i = 0; i < in; i++) {
                    acc = DoubleVector.fromMemorySegment(SPECIES, w, ((long) i * out + j) * 8L, ORDER).fma(DoubleVector.broadcast(SPECIES, x.getAtIndex(DOUBLE, (long) lane * in + i)), acc);
                }
                acc.intoMemorySegment(y, ((long) lane * out + j) * 8L, ORDER);
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
                    for (int i = 0; i < vectorEnd; i += LANES) sum = DoubleVector.fromMemorySegment(SPECIES, x, (xRow + i) * 8L, ORDER).fma(DoubleVector.fromMemorySegment(SPECIES, w, i * 8L, ORDER), sum);
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
            DoubleVector t = DoubleVector.fromMemorySegment(SPECIES, y, i * 8L, ORDER);
            DoubleVector d1 = t.mul(t).neg().add(1.0);
            if (withSecond) {
                DoubleVector a1 = DoubleVector.fromMemorySegment(SPECIES, a, ((long) n + i) * 8L, ORDER);
                DoubleVector d2 = t.mul(d1).mul(-2.0);
                d1.mul(DoubleVector.fromMemorySegment(SPECIES, a, ((long) secondLane * n + i) * 8L, ORDER)).add(d2.mul(a1).mul(a1))
                        .intoMemorySegment(y, ((long) secondLane * n + i) * 8L, ORDER);
            }
            for (int k = 1; k <= tangents; k++) d1.mul(DoubleVector.fromMemorySegment(SPECIES, a, ((long) k * n + i) * 8L, ORDER)).intoMemorySegment(y, ((long) k * n + i) * 8L, ORDER);
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
}
