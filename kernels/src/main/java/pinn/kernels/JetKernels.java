package pinn.kernels;

import static jdk.incubator.vector.DoubleVector.fromMemorySegment;
import static pinn.kernels.GemmKernels.DOUBLE;
import static pinn.kernels.GemmKernels.LANES;
import static pinn.kernels.GemmKernels.ORDER;
import static pinn.kernels.GemmKernels.SPECIES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;

/**
 * tanh on a Taylor jet stacked as row blocks ({@link Backend#tanhJet}) and its vector-Jacobian
 * product ({@link Backend#tanhJetBackward}), each in one pass over the index range [from, to) of
 * every block: what the chain rule needs per value read and written once, instead of a pass over
 * memory per elementary operation.
 *
 * <p>The arithmetic follows the reference formulas operation for operation (no fused
 * multiply-adds), so everything but tanh itself is bit-identical to {@link ReferenceBackend}, and
 * tanhJet is bit-identical to {@link VectorMath#tanh}, {@link Elementwise#tanhDerivative} and
 * the products applied one after the other. Scalar tails repeat the vector arithmetic exactly,
 * so results do not depend on where a range starts.
 */
final class JetKernels {

    private JetKernels() {}

    /** tanhJet's values per chunk: tanh writes a chunk of the value block, the chain rule reads it back from L1. */
    private static final int CHUNK = 512;

    /** out = tanhJet(z) over [from, to) of each of the directions + 2 blocks of n values. */
    static void tanhJet(int from, int to, int n, int directions, MemorySegment z, MemorySegment out) {
        tanhJet(from, to, directions, z, 0, n * 8L, out, 0, n * 8L);
    }

    /**
     * out = tanhJet(z) over [from, to) of every block, the blocks of z starting at zOff and
     * zBlock bytes apart, those of out at outOff and outBlock bytes apart.
     */
    static void tanhJet(int from, int to, int directions, MemorySegment z, long zOff, long zBlock,
                        MemorySegment out, long outOff, long outBlock) {
        DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        MemorySegment zValues = z.asSlice(zOff), outValues = out.asSlice(outOff);
        long zSecond = zOff + (directions + 1) * zBlock, outSecond = outOff + (directions + 1) * outBlock;
        for (int chunk = from; chunk < to; chunk += CHUNK) {
            int end = Math.min(to, chunk + CHUNK);
            VectorMath.tanh(chunk, end, zValues, outValues); // t into the value block
            int i = chunk;
            for (int vectorEnd = chunk + SPECIES.loopBound(end - chunk); i < vectorEnd; i += LANES) {
                long o = i * 8L;
                DoubleVector t = fromMemorySegment(SPECIES, out, outOff + o, ORDER);
                DoubleVector d1 = one.sub(t.mul(t));
                DoubleVector d2 = t.mul(-2.0).mul(d1);
                DoubleVector a1 = fromMemorySegment(SPECIES, z, zOff + zBlock + o, ORDER);
                d1.mul(a1).intoMemorySegment(out, outOff + outBlock + o, ORDER);
                for (int k = 2; k <= directions; k++) {
                    d1.mul(fromMemorySegment(SPECIES, z, zOff + k * zBlock + o, ORDER))
                            .intoMemorySegment(out, outOff + k * outBlock + o, ORDER);
                }
                DoubleVector c = fromMemorySegment(SPECIES, z, zSecond + o, ORDER);
                d1.mul(c).add(d2.mul(a1.mul(a1))).intoMemorySegment(out, outSecond + o, ORDER);
            }
            for (; i < end; i++) {
                long o = i * 8L;
                double t = out.get(DOUBLE, outOff + o);
                double d1 = 1 - t * t;
                double d2 = t * -2 * d1;
                double a1 = z.get(DOUBLE, zOff + zBlock + o);
                for (int k = 1; k <= directions; k++) {
                    out.set(DOUBLE, outOff + k * outBlock + o, d1 * z.get(DOUBLE, zOff + k * zBlock + o));
                }
                out.set(DOUBLE, outSecond + o, d1 * z.get(DOUBLE, zSecond + o) + d2 * (a1 * a1));
            }
        }
    }

    /** out = tanhJetBackward(y, g) over [from, to) of each of the directions + 2 blocks of n values. */
    static void tanhJetBackward(int from, int to, int n, int directions, MemorySegment y, MemorySegment g, MemorySegment out) {
        long block = n * 8L;
        tanhJetBackward(from, to, directions, y, 0, block, g, 0, block, out, 0, block);
    }

    /**
     * out = tanhJetBackward(y, g) over [from, to) of every block, the blocks of y, g and out
     * starting at the given offsets and the given block strides (bytes) apart.
     */
    static void tanhJetBackward(int from, int to, int directions, MemorySegment y, long yOff, long yBlock,
                                MemorySegment g, long gOff, long gBlock, MemorySegment out, long outOff, long outBlock) {
        long ySecond = yOff + (directions + 1) * yBlock, gSecond = gOff + (directions + 1) * gBlock;
        long outSecond = outOff + (directions + 1) * outBlock;
        DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        int i = from;
        for (int end = from + SPECIES.loopBound(to - from); i < end; i += LANES) {
            long o = i * 8L;
            DoubleVector t = fromMemorySegment(SPECIES, y, yOff + o, ORDER);
            DoubleVector d1 = one.sub(t.mul(t));
            DoubleVector u = t.mul(-2.0);
            DoubleVector y1 = fromMemorySegment(SPECIES, y, yOff + yBlock + o, ORDER);
            DoubleVector g1 = fromMemorySegment(SPECIES, g, gOff + gBlock + o, ORDER);
            DoubleVector gc = fromMemorySegment(SPECIES, g, gSecond + o, ORDER);
            DoubleVector sum = fromMemorySegment(SPECIES, g, gOff + o, ORDER).mul(d1);
            sum = sum.add(g1.mul(y1).mul(u));
            for (int k = 2; k <= directions; k++) {
                DoubleVector gk = fromMemorySegment(SPECIES, g, gOff + k * gBlock + o, ORDER);
                sum = sum.add(gk.mul(fromMemorySegment(SPECIES, y, yOff + k * yBlock + o, ORDER)).mul(u));
                gk.mul(d1).intoMemorySegment(out, outOff + k * outBlock + o, ORDER);
            }
            DoubleVector yc = fromMemorySegment(SPECIES, y, ySecond + o, ORDER);
            sum = sum.add(gc.mul(yc.mul(u).sub(y1.mul(y1).mul(2.0))));
            sum.intoMemorySegment(out, outOff + o, ORDER);
            g1.mul(d1).add(gc.mul(y1).mul(u).mul(2.0)).intoMemorySegment(out, outOff + outBlock + o, ORDER);
            gc.mul(d1).intoMemorySegment(out, outSecond + o, ORDER);
        }
        for (; i < to; i++) {
            long o = i * 8L;
            double t = y.get(DOUBLE, yOff + o);
            double d1 = 1 - t * t;
            double u = t * -2;
            double y1 = y.get(DOUBLE, yOff + yBlock + o), gc = g.get(DOUBLE, gSecond + o);
            double sum = g.get(DOUBLE, gOff + o) * d1;
            for (int k = 1; k <= directions; k++) {
                sum = sum + g.get(DOUBLE, gOff + k * gBlock + o) * y.get(DOUBLE, yOff + k * yBlock + o) * u;
            }
            sum = sum + gc * (y.get(DOUBLE, ySecond + o) * u - y1 * y1 * 2);
            out.set(DOUBLE, outOff + o, sum);
            out.set(DOUBLE, outOff + outBlock + o, g.get(DOUBLE, gOff + gBlock + o) * d1 + gc * y1 * u * 2);
            for (int k = 2; k <= directions; k++) {
                out.set(DOUBLE, outOff + k * outBlock + o, g.get(DOUBLE, gOff + k * gBlock + o) * d1);
            }
            out.set(DOUBLE, outSecond + o, gc * d1);
        }
    }

    /** Points per chunk of {@link #tanhJetLinear}: the chunk's x·W + b, all blocks, stays in L2 (128 KB for 4 blocks of 64 wide). */
    static final int LINEAR_CHUNK_POINTS = 64;

    /**
     * out = tanhJet(x·W + b) for points [p0, p1) of a jet stacked as directions + 2 blocks of
     * {@code rows} points: chunk by chunk, each block's rows of the chunk through W (the bias into
     * the value block) into per-thread scratch, then the chain rule from there into out. The GEMM
     * tiles are {@link Gemm}'s, so each value of x·W + b is the same chain of FMAs as in
     * {@link VectorBackend#gemmBias} and {@link VectorBackend#gemm}. Needs m ≥ one vector.
     */
    static void tanhJetLinear(int p0, int p1, int rows, int directions, int k, int m, MemorySegment x, MemorySegment w,
                              MemorySegment b, MemorySegment out, int kBlock, int rowBlock) {
        int blocks = directions + 2;
        long xRow = k * 8L, outRow = m * 8L;
        MemorySegment z = Scratch.local().jetChunk((long) blocks * LINEAR_CHUNK_POINTS * m);
        for (int c0 = p0; c0 < p1; c0 += LINEAR_CHUNK_POINTS) {
            int points = Math.min(LINEAR_CHUNK_POINTS, p1 - c0);
            long zBlock = points * outRow;
            for (int block = 0; block < blocks; block++) {
                // rows block·rows + c0 … of x into rows block·points … of the chunk
                long xOff = ((long) block * rows + c0) * xRow, zOff = block * zBlock;
                Gemm.broadcastForm(0, points, 0, k, m, x.asSlice(xOff), xRow, 8, w, outRow, z.asSlice(zOff), outRow,
                        false, block == 0 ? b : null, kBlock, rowBlock, true);
            }
            tanhJet(0, points * m, directions, z, 0, zBlock, out, (long) c0 * outRow, (long) rows * outRow);
        }
    }

    /**
     * {@link Backend#tanhJetLinearBackward} for points [p0, p1), chunk by chunk: the chunk's gz
     * (all blocks) into per-thread scratch, then from there dx's rows of the chunk (gz·Wᵀ, with
     * Wᵀ packed by the caller as {@code wt}, m × k), and xᵀ·gz and the column sums of gz's value
     * block added onto {@code dw} and {@code db} (started from zero at p0). gz is never written
     * to memory, and the chunk's x and gz are read from cache by both products.
     */
    static void tanhJetLinearBackward(int p0, int p1, int rows, int directions, int k, int m, MemorySegment x,
                                      MemorySegment wt, MemorySegment y, MemorySegment g, MemorySegment dx,
                                      MemorySegment dw, MemorySegment db, int kBlock, int rowBlock, int transAKBlock,
                                      int transARowBlock) {
        int blocks = directions + 2;
        long xRow = k * 8L, gRow = m * 8L;
        MemorySegment gz = Scratch.local().jetChunk((long) blocks * LINEAR_CHUNK_POINTS * m);
        for (int c0 = p0; c0 < p1; c0 += LINEAR_CHUNK_POINTS) {
            int points = Math.min(LINEAR_CHUNK_POINTS, p1 - c0);
            long gzBlock = points * gRow;
            tanhJetBackward(0, points * m, directions, y, c0 * gRow, rows * gRow, g, c0 * gRow, rows * gRow, gz, 0, gzBlock);
            boolean first = c0 == p0;
            for (int block = 0; block < blocks; block++) {
                long xOff = ((long) block * rows + c0) * xRow;
                MemorySegment gzRows = gz.asSlice(block * gzBlock);
                if (dx != null) {
                    Gemm.broadcastForm(0, points, 0, m, k, gzRows, gRow, 8, wt, xRow, dx.asSlice(xOff), xRow,
                            false, null, kBlock, rowBlock, true);
                }
                Gemm.broadcastForm(0, k, 0, points, m, x.asSlice(xOff), 8, xRow, gzRows, gRow, dw, gRow,
                        !(first && block == 0), null, transAKBlock, transARowBlock, false);
            }
            Elementwise.columnSums(0, points, m, gz, db, !first);
        }
    }
}
