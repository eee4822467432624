package pinn.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked GEMM micro-kernels: each computes one small tile of C entirely in vector
 * registers, with one fused multiply-add per element of the tile per step of the reduction.
 *
 * <p>Two forms. The <em>broadcast</em> tiles ({@code tileRxV}) hold R rows × V vectors of C;
 * per step p they broadcast A(r, p) and load row p of B, so B must be contiguous along the
 * columns of C. Where A(r, p) lives is given by two byte strides, {@code aRow} between rows and
 * {@code aStep} between steps, which lets the same tile serve A·B (A(r, p) at r·k + p) and
 * Aᵀ·B (A(r, p) at p·m + r). The <em>dot</em> tiles ({@code dotRxC}) compute dot products of
 * rows of A with rows of B, both contiguous along the reduction; they serve narrow outputs
 * (n smaller than a vector), where a broadcast tile would waste most of its lanes, and A·Bᵀ with
 * few rows, where packing Bᵀ would cost more than the product.
 *
 * <p>Two rules keep the JIT on our side. Every vector operation is a direct Vector API call, never
 * an ordinary helper: C2 always inlines the API's own methods, but stops inlining helpers once a
 * kernel passes NodeCountInliningCutoff, and a vector passed to a call that is not inlined is boxed
 * on the heap (tens of times slower). And no kernel uses masked loads: the driver hands a partial
 * last vector of columns over in zero-padded scratch panels, and the dot tiles finish the
 * reduction in scalar FMAs. That keeps every kernel small enough for C1 to compile at each tier;
 * a kernel that C1 compiles at the limited-profile tier but not at the full-profile tier can stay
 * stuck in slow C1 code and never reach C2.
 *
 * <p>All offsets and strides are in bytes. The broadcast tiles start their sums from
 * {@code init} (row r of the tile at iOff + r·iRow) or, when it is null, from zero: C itself to
 * accumulate, or a bias row with iRow = 0, read straight into the accumulators so that C is never
 * filled first. The dot tiles' {@code accumulate} adds the current C. For one element of C the
 * products are always added in the order p = 0, 1, …, k−1, whatever the tile shape, so how a
 * problem is cut into tiles never changes the result (the dot tiles too: their lanes are added in
 * a fixed order).
 *
 * <p>The tiles are written out by hand, one line per vector, like llama3.java's kernels: sixteen
 * named accumulators are what keeps them in registers.
 */
final class GemmKernels {

    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    /** Doubles per vector: 8 with AVX-512. */
    static final int LANES = SPECIES.length();
    static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    // Plain (unaligned) layout: segments are 64-byte aligned anyway, and this skips an alignment check.
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private static final long V1 = VECTOR_BYTES, V2 = 2 * V1, V3 = 3 * V1, V4 = 4 * V1,
            V5 = 5 * V1, V6 = 6 * V1, V7 = 7 * V1;

    private GemmKernels() {}

    // ---- broadcast form: C(r, j) (+)= Σ_p A(r, p) · B(p, j) ----

    /**
     * 2 rows × 8 vectors of C (64 columns with AVX-512): 16 accumulators, 8 loads of B and 2
     * broadcasts of A per 16 FMAs. The main kernel.
     */
    static void tile2x8v(int k, MemorySegment a, long aOff, long aRow, long aStep,
            MemorySegment b, long bOff, long bStep, MemorySegment c, long cOff, long cRow,
            MemorySegment init, long iOff, long iRow) {
        long c1Off = cOff + cRow;
        DoubleVector c00, c01, c02, c03, c04, c05, c06, c07;
        DoubleVector c10, c11, c12, c13, c14, c15, c16, c17;
        if (init != null) {
            c00 = DoubleVector.fromMemorySegment(SPECIES, init, iOff, ORDER);
            c01 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V1, ORDER);
            c02 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V2, ORDER);
            c03 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V3, ORDER);
            c04 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V4, ORDER);
            c05 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V5, ORDER);
            c06 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V6, ORDER);
            c07 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V7, ORDER);
            c10 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow, ORDER);
            c11 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V1, ORDER);
            c12 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V2, ORDER);
            c13 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V3, ORDER);
            c14 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V4, ORDER);
            c15 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V5, ORDER);
            c16 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V6, ORDER);
            c17 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V7, ORDER);
        } else {
            c00 = c01 = c02 = c03 = c04 = c05 = c06 = c07 = DoubleVector.zero(SPECIES);
            c10 = c11 = c12 = c13 = c14 = c15 = c16 = c17 = c00;
        }
        for (int p = 0; p < k; p++) {
            long ap = aOff + p * aStep, bp = bOff + p * bStep;
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap));
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + aRow));
            DoubleVector b0 = DoubleVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            c00 = a0.fma(b0, c00); c10 = a1.fma(b0, c10);
            DoubleVector b1 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V1, ORDER);
            c01 = a0.fma(b1, c01); c11 = a1.fma(b1, c11);
            DoubleVector b2 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V2, ORDER);
            c02 = a0.fma(b2, c02); c12 = a1.fma(b2, c12);
            DoubleVector b3 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V3, ORDER);
            c03 = a0.fma(b3, c03); c13 = a1.fma(b3, c13);
            DoubleVector b4 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V4, ORDER);
            c04 = a0.fma(b4, c04); c14 = a1.fma(b4, c14);
            DoubleVector b5 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V5, ORDER);
            c05 = a0.fma(b5, c05); c15 = a1.fma(b5, c15);
            DoubleVector b6 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V6, ORDER);
            c06 = a0.fma(b6, c06); c16 = a1.fma(b6, c16);
            DoubleVector b7 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V7, ORDER);
            c07 = a0.fma(b7, c07); c17 = a1.fma(b7, c17);
        }
        c00.intoMemorySegment(c, cOff, ORDER);
        c01.intoMemorySegment(c, cOff + V1, ORDER);
        c02.intoMemorySegment(c, cOff + V2, ORDER);
        c03.intoMemorySegment(c, cOff + V3, ORDER);
        c04.intoMemorySegment(c, cOff + V4, ORDER);
        c05.intoMemorySegment(c, cOff + V5, ORDER);
        c06.intoMemorySegment(c, cOff + V6, ORDER);
        c07.intoMemorySegment(c, cOff + V7, ORDER);
        c10.intoMemorySegment(c, c1Off, ORDER);
        c11.intoMemorySegment(c, c1Off + V1, ORDER);
        c12.intoMemorySegment(c, c1Off + V2, ORDER);
        c13.intoMemorySegment(c, c1Off + V3, ORDER);
        c14.intoMemorySegment(c, c1Off + V4, ORDER);
        c15.intoMemorySegment(c, c1Off + V5, ORDER);
        c16.intoMemorySegment(c, c1Off + V6, ORDER);
        c17.intoMemorySegment(c, c1Off + V7, ORDER);
    }

    /** 1 row × 8 vectors: the odd last row of {@link #tile2x8v}. */
    static void tile1x8v(int k, MemorySegment a, long aOff, long aRow, long aStep,
            MemorySegment b, long bOff, long bStep, MemorySegment c, long cOff, long cRow,
            MemorySegment init, long iOff, long iRow) {
        DoubleVector c00, c01, c02, c03, c04, c05, c06, c07;
        if (init != null) {
            c00 = DoubleVector.fromMemorySegment(SPECIES, init, iOff, ORDER);
            c01 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V1, ORDER);
            c02 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V2, ORDER);
            c03 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V3, ORDER);
            c04 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V4, ORDER);
            c05 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V5, ORDER);
            c06 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V6, ORDER);
            c07 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V7, ORDER);
        } else {
            c00 = c01 = c02 = c03 = c04 = c05 = c06 = c07 = DoubleVector.zero(SPECIES);
        }
        for (int p = 0; p < k; p++) {
            long ap = aOff + p * aStep, bp = bOff + p * bStep;
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap));
            DoubleVector b0 = DoubleVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            c00 = a0.fma(b0, c00);
            DoubleVector b1 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V1, ORDER);
            c01 = a0.fma(b1, c01);
            DoubleVector b2 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V2, ORDER);
            c02 = a0.fma(b2, c02);
            DoubleVector b3 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V3, ORDER);
            c03 = a0.fma(b3, c03);
            DoubleVector b4 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V4, ORDER);
            c04 = a0.fma(b4, c04);
            DoubleVector b5 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V5, ORDER);
            c05 = a0.fma(b5, c05);
            DoubleVector b6 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V6, ORDER);
            c06 = a0.fma(b6, c06);
            DoubleVector b7 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V7, ORDER);
            c07 = a0.fma(b7, c07);
        }
        c00.intoMemorySegment(c, cOff, ORDER);
        c01.intoMemorySegment(c, cOff + V1, ORDER);
        c02.intoMemorySegment(c, cOff + V2, ORDER);
        c03.intoMemorySegment(c, cOff + V3, ORDER);
        c04.intoMemorySegment(c, cOff + V4, ORDER);
        c05.intoMemorySegment(c, cOff + V5, ORDER);
        c06.intoMemorySegment(c, cOff + V6, ORDER);
        c07.intoMemorySegment(c, cOff + V7, ORDER);
    }

    /** 4 rows × 4 vectors of C: 16 accumulators, for column blocks narrower than 8 vectors. */
    static void tile4x4v(int k, MemorySegment a, long aOff, long aRow, long aStep,
            MemorySegment b, long bOff, long bStep, MemorySegment c, long cOff, long cRow,
            MemorySegment init, long iOff, long iRow) {
        long c1Off = cOff + cRow;
        long c2Off = c1Off + cRow;
        long c3Off = c2Off + cRow;
        DoubleVector c00, c01, c02, c03;
        DoubleVector c10, c11, c12, c13;
        DoubleVector c20, c21, c22, c23;
        DoubleVector c30, c31, c32, c33;
        if (init != null) {
            c00 = DoubleVector.fromMemorySegment(SPECIES, init, iOff, ORDER);
            c01 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V1, ORDER);
            c02 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V2, ORDER);
            c03 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V3, ORDER);
            c10 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow, ORDER);
            c11 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V1, ORDER);
            c12 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V2, ORDER);
            c13 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow + V3, ORDER);
            c20 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 2 * iRow, ORDER);
            c21 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 2 * iRow + V1, ORDER);
            c22 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 2 * iRow + V2, ORDER);
            c23 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 2 * iRow + V3, ORDER);
            c30 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 3 * iRow, ORDER);
            c31 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 3 * iRow + V1, ORDER);
            c32 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 3 * iRow + V2, ORDER);
            c33 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 3 * iRow + V3, ORDER);
        } else {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = DoubleVector.zero(SPECIES);
            c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = c00;
        }
        for (int p = 0; p < k; p++) {
            long ap = aOff + p * aStep, bp = bOff + p * bStep;
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap));
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + aRow));
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + 2 * aRow));
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + 3 * aRow));
            DoubleVector b0 = DoubleVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            c00 = a0.fma(b0, c00); c10 = a1.fma(b0, c10); c20 = a2.fma(b0, c20); c30 = a3.fma(b0, c30);
            DoubleVector b1 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V1, ORDER);
            c01 = a0.fma(b1, c01); c11 = a1.fma(b1, c11); c21 = a2.fma(b1, c21); c31 = a3.fma(b1, c31);
            DoubleVector b2 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V2, ORDER);
            c02 = a0.fma(b2, c02); c12 = a1.fma(b2, c12); c22 = a2.fma(b2, c22); c32 = a3.fma(b2, c32);
            DoubleVector b3 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V3, ORDER);
            c03 = a0.fma(b3, c03); c13 = a1.fma(b3, c13); c23 = a2.fma(b3, c23); c33 = a3.fma(b3, c33);
        }
        c00.intoMemorySegment(c, cOff, ORDER);
        c01.intoMemorySegment(c, cOff + V1, ORDER);
        c02.intoMemorySegment(c, cOff + V2, ORDER);
        c03.intoMemorySegment(c, cOff + V3, ORDER);
        c10.intoMemorySegment(c, c1Off, ORDER);
        c11.intoMemorySegment(c, c1Off + V1, ORDER);
        c12.intoMemorySegment(c, c1Off + V2, ORDER);
        c13.intoMemorySegment(c, c1Off + V3, ORDER);
        c20.intoMemorySegment(c, c2Off, ORDER);
        c21.intoMemorySegment(c, c2Off + V1, ORDER);
        c22.intoMemorySegment(c, c2Off + V2, ORDER);
        c23.intoMemorySegment(c, c2Off + V3, ORDER);
        c30.intoMemorySegment(c, c3Off, ORDER);
        c31.intoMemorySegment(c, c3Off + V1, ORDER);
        c32.intoMemorySegment(c, c3Off + V2, ORDER);
        c33.intoMemorySegment(c, c3Off + V3, ORDER);
    }

    /** 1 row × 4 vectors: the last rows of {@link #tile4x4v}. */
    static void tile1x4v(int k, MemorySegment a, long aOff, long aRow, long aStep,
            MemorySegment b, long bOff, long bStep, MemorySegment c, long cOff, long cRow,
            MemorySegment init, long iOff, long iRow) {
        DoubleVector c00, c01, c02, c03;
        if (init != null) {
            c00 = DoubleVector.fromMemorySegment(SPECIES, init, iOff, ORDER);
            c01 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V1, ORDER);
            c02 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V2, ORDER);
            c03 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + V3, ORDER);
        } else {
            c00 = c01 = c02 = c03 = DoubleVector.zero(SPECIES);
        }
        for (int p = 0; p < k; p++) {
            long ap = aOff + p * aStep, bp = bOff + p * bStep;
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap));
            DoubleVector b0 = DoubleVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            c00 = a0.fma(b0, c00);
            DoubleVector b1 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V1, ORDER);
            c01 = a0.fma(b1, c01);
            DoubleVector b2 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V2, ORDER);
            c02 = a0.fma(b2, c02);
            DoubleVector b3 = DoubleVector.fromMemorySegment(SPECIES, b, bp + V3, ORDER);
            c03 = a0.fma(b3, c03);
        }
        c00.intoMemorySegment(c, cOff, ORDER);
        c01.intoMemorySegment(c, cOff + V1, ORDER);
        c02.intoMemorySegment(c, cOff + V2, ORDER);
        c03.intoMemorySegment(c, cOff + V3, ORDER);
    }

    /** 4 rows × 1 vector: the last columns, when n is not a multiple of 4 vectors. */
    static void tile4x1v(int k, MemorySegment a, long aOff, long aRow, long aStep,
            MemorySegment b, long bOff, long bStep, MemorySegment c, long cOff, long cRow,
            MemorySegment init, long iOff, long iRow) {
        long c1Off = cOff + cRow;
        long c2Off = c1Off + cRow;
        long c3Off = c2Off + cRow;
        DoubleVector c00;
        DoubleVector c10;
        DoubleVector c20;
        DoubleVector c30;
        if (init != null) {
            c00 = DoubleVector.fromMemorySegment(SPECIES, init, iOff, ORDER);
            c10 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + iRow, ORDER);
            c20 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 2 * iRow, ORDER);
            c30 = DoubleVector.fromMemorySegment(SPECIES, init, iOff + 3 * iRow, ORDER);
        } else {
            c00 = c10 = c20 = c30 = DoubleVector.zero(SPECIES);
        }
        for (int p = 0; p < k; p++) {
            long ap = aOff + p * aStep, bp = bOff + p * bStep;
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap));
            DoubleVector a1 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + aRow));
            DoubleVector a2 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + 2 * aRow));
            DoubleVector a3 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap + 3 * aRow));
            DoubleVector b0 = DoubleVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            c00 = a0.fma(b0, c00); c10 = a1.fma(b0, c10); c20 = a2.fma(b0, c20); c30 = a3.fma(b0, c30);
        }
        c00.intoMemorySegment(c, cOff, ORDER);
        c10.intoMemorySegment(c, c1Off, ORDER);
        c20.intoMemorySegment(c, c2Off, ORDER);
        c30.intoMemorySegment(c, c3Off, ORDER);
    }

    /** 1 row × 1 vector: the corner of the last rows and columns. */
    static void tile1x1v(int k, MemorySegment a, long aOff, long aRow, long aStep,
            MemorySegment b, long bOff, long bStep, MemorySegment c, long cOff, long cRow,
            MemorySegment init, long iOff, long iRow) {
        DoubleVector c00;
        if (init != null) {
            c00 = DoubleVector.fromMemorySegment(SPECIES, init, iOff, ORDER);
        } else {
            c00 = DoubleVector.zero(SPECIES);
        }
        for (int p = 0; p < k; p++) {
            long ap = aOff + p * aStep, bp = bOff + p * bStep;
            DoubleVector a0 = DoubleVector.broadcast(SPECIES, a.get(DOUBLE, ap));
            DoubleVector b0 = DoubleVector.fromMemorySegment(SPECIES, b, bp, ORDER);
            c00 = a0.fma(b0, c00);
        }
        c00.intoMemorySegment(c, cOff, ORDER);
    }

    // ---- dot form: C(i, j) (+)= Σ_p A(i, p) · B(j, p), rows of A and B contiguous along p ----
    // The lanes of each sum are added in lane order (not reduceLanes, whose order differs between
    // the interpreter and C2), then the last k mod LANES products in scalar FMAs.

    // For dot1x8: lane i ↔ lane i XOR h, and the lanes whose bit h is set (8 lanes only).
    private static final VectorShuffle<Double> SWAP_1 = VectorShuffle.fromOp(SPECIES, i -> (i ^ 1) % LANES);
    private static final VectorShuffle<Double> SWAP_2 = VectorShuffle.fromOp(SPECIES, i -> (i ^ 2) % LANES);
    private static final VectorShuffle<Double> SWAP_4 = VectorShuffle.fromOp(SPECIES, i -> (i ^ 4) % LANES);
    private static final VectorMask<Double> BIT_0 = VectorMask.fromLong(SPECIES, 0b10101010);
    private static final VectorMask<Double> BIT_1 = VectorMask.fromLong(SPECIES, 0b11001100);
    private static final VectorMask<Double> BIT_2 = VectorMask.fromLong(SPECIES, 0b11110000);

    /**
     * One row of A against 8 rows of B: C(i, j..j+7), for 8-lane vectors only. The eight sums are
     * reduced together by a three-level transposing network (pairs of lanes, then pairs of pairs,
     * then halves), which leaves sum l in lane l: 21 shuffles and adds instead of 56 lane extracts.
     */
    static void dot1x8(int k, MemorySegment a, long aOff, MemorySegment b, long bOff, long bRow,
            MemorySegment c, long cOff, boolean accumulate) {
        long b1 = bOff + bRow, b2 = b1 + bRow, b3 = b2 + bRow, b4 = b3 + bRow, b5 = b4 + bRow, b6 = b5 + bRow,
                b7 = b6 + bRow;
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        int p = 0;
        for (int upper = SPECIES.loopBound(k); p < upper; p += LANES) {
            long o = p * 8L;
            DoubleVector x = DoubleVector.fromMemorySegment(SPECIES, a, aOff + o, ORDER);
            s0 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, bOff + o, ORDER), s0);
            s1 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b1 + o, ORDER), s1);
            s2 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b2 + o, ORDER), s2);
            s3 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b3 + o, ORDER), s3);
            s4 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b4 + o, ORDER), s4);
            s5 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b5 + o, ORDER), s5);
            s6 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b6 + o, ORDER), s6);
            s7 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b7 + o, ORDER), s7);
        }
        // Level 1: lane 2i holds s0[2i] + s0[2i+1], lane 2i+1 holds s1[2i] + s1[2i+1]; likewise for the other pairs.
        DoubleVector y01 = s0.blend(s1.rearrange(SWAP_1), BIT_0).add(s0.rearrange(SWAP_1).blend(s1, BIT_0));
        DoubleVector y23 = s2.blend(s3.rearrange(SWAP_1), BIT_0).add(s2.rearrange(SWAP_1).blend(s3, BIT_0));
        DoubleVector y45 = s4.blend(s5.rearrange(SWAP_1), BIT_0).add(s4.rearrange(SWAP_1).blend(s5, BIT_0));
        DoubleVector y67 = s6.blend(s7.rearrange(SWAP_1), BIT_0).add(s6.rearrange(SWAP_1).blend(s7, BIT_0));
        // Level 2: lane 4i + l holds the sum of lanes 4i..4i+3 of s_l (l < 4), or of s_(l+4).
        DoubleVector z0123 = y01.blend(y23.rearrange(SWAP_2), BIT_1).add(y01.rearrange(SWAP_2).blend(y23, BIT_1));
        DoubleVector z4567 = y45.blend(y67.rearrange(SWAP_2), BIT_1).add(y45.rearrange(SWAP_2).blend(y67, BIT_1));
        // Level 3: lane l holds the whole sum of s_l.
        DoubleVector sums = z0123.blend(z4567.rearrange(SWAP_4), BIT_2).add(z0123.rearrange(SWAP_4).blend(z4567, BIT_2));
        if (accumulate) sums = sums.add(DoubleVector.fromMemorySegment(SPECIES, c, cOff, ORDER));
        sums.intoMemorySegment(c, cOff, ORDER);
        for (; p < k; p++) { // the last k mod LANES steps, in scalar FMAs
            double x = a.get(DOUBLE, aOff + p * 8L);
            for (int l = 0; l < 8; l++) {
                long to = cOff + l * 8L;
                c.set(DOUBLE, to, Math.fma(x, b.get(DOUBLE, bOff + l * bRow + p * 8L), c.get(DOUBLE, to)));
            }
        }
    }

    /** One row of A against 4 rows of B: C(i, j..j+3). */
    static void dot1x4(int k, MemorySegment a, long aOff, MemorySegment b, long bOff, long bRow,
            MemorySegment c, long cOff, boolean accumulate) {
        long b1 = bOff + bRow, b2 = b1 + bRow, b3 = b2 + bRow;
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (int upper = SPECIES.loopBound(k); p < upper; p += LANES) {
            long o = p * 8L;
            DoubleVector x = DoubleVector.fromMemorySegment(SPECIES, a, aOff + o, ORDER);
            s0 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, bOff + o, ORDER), s0);
            s1 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b1 + o, ORDER), s1);
            s2 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b2 + o, ORDER), s2);
            s3 = x.fma(DoubleVector.fromMemorySegment(SPECIES, b, b3 + o, ORDER), s3);
        }
        double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (int lane = 0; lane < LANES; lane++) { // lanes added in order: the same bits in every JIT tier
            d0 += s0.lane(lane);
            d1 += s1.lane(lane);
            d2 += s2.lane(lane);
            d3 += s3.lane(lane);
        }
        for (; p < k; p++) { // the last k mod LANES steps in scalar FMAs (masks would cost more here)
            long o = p * 8L;
            double x = a.get(DOUBLE, aOff + o);
            d0 = Math.fma(x, b.get(DOUBLE, bOff + o), d0);
            d1 = Math.fma(x, b.get(DOUBLE, b1 + o), d1);
            d2 = Math.fma(x, b.get(DOUBLE, b2 + o), d2);
            d3 = Math.fma(x, b.get(DOUBLE, b3 + o), d3);
        }
        put(c, cOff, d0, accumulate);
        put(c, cOff + 8, d1, accumulate);
        put(c, cOff + 16, d2, accumulate);
        put(c, cOff + 24, d3, accumulate);
    }

    /** 4 rows of A against one row of B: C(i..i+3, j), e.g. a matrix times a vector. */
    static void dot4x1(int k, MemorySegment a, long aOff, long aRow, MemorySegment b, long bOff,
            MemorySegment c, long cOff, long cRow, boolean accumulate) {
        long a1 = aOff + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int p = 0;
        for (int upper = SPECIES.loopBound(k); p < upper; p += LANES) {
            long o = p * 8L;
            DoubleVector y = DoubleVector.fromMemorySegment(SPECIES, b, bOff + o, ORDER);
            s0 = DoubleVector.fromMemorySegment(SPECIES, a, aOff + o, ORDER).fma(y, s0);
            s1 = DoubleVector.fromMemorySegment(SPECIES, a, a1 + o, ORDER).fma(y, s1);
            s2 = DoubleVector.fromMemorySegment(SPECIES, a, a2 + o, ORDER).fma(y, s2);
            s3 = DoubleVector.fromMemorySegment(SPECIES, a, a3 + o, ORDER).fma(y, s3);
        }
        double d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (int lane = 0; lane < LANES; lane++) {
            d0 += s0.lane(lane);
            d1 += s1.lane(lane);
            d2 += s2.lane(lane);
            d3 += s3.lane(lane);
        }
        for (; p < k; p++) {
            long o = p * 8L;
            double y = b.get(DOUBLE, bOff + o);
            d0 = Math.fma(a.get(DOUBLE, aOff + o), y, d0);
            d1 = Math.fma(a.get(DOUBLE, a1 + o), y, d1);
            d2 = Math.fma(a.get(DOUBLE, a2 + o), y, d2);
            d3 = Math.fma(a.get(DOUBLE, a3 + o), y, d3);
        }
        put(c, cOff, d0, accumulate);
        put(c, cOff + cRow, d1, accumulate);
        put(c, cOff + 2 * cRow, d2, accumulate);
        put(c, cOff + 3 * cRow, d3, accumulate);
    }

    /** One row of A against one row of B: a single element of C. */
    static void dot1x1(int k, MemorySegment a, long aOff, MemorySegment b, long bOff,
            MemorySegment c, long cOff, boolean accumulate) {
        DoubleVector s = DoubleVector.zero(SPECIES);
        int p = 0;
        for (int upper = SPECIES.loopBound(k); p < upper; p += LANES) {
            long o = p * 8L;
            s = DoubleVector.fromMemorySegment(SPECIES, a, aOff + o, ORDER)
                    .fma(DoubleVector.fromMemorySegment(SPECIES, b, bOff + o, ORDER), s);
        }
        double d = 0;
        for (int lane = 0; lane < LANES; lane++) d += s.lane(lane);
        for (; p < k; p++) d = Math.fma(a.get(DOUBLE, aOff + p * 8L), b.get(DOUBLE, bOff + p * 8L), d);
        put(c, cOff, d, accumulate);
    }

    private static void put(MemorySegment c, long offset, double dot, boolean accumulate) {
        c.set(DOUBLE, offset, accumulate ? c.get(DOUBLE, offset) + dot : dot);
    }
}
