package pinn.kernels;

import static pinn.kernels.GemmKernels.DOUBLE;
import static pinn.kernels.GemmKernels.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;

/**
 * GEMM drivers: cut one range of a problem into tiles for {@link GemmKernels} and block it so
 * that the operands a tile streams stay in cache. Single-threaded; {@link VectorBackend} decides
 * which ranges run on which thread.
 *
 * <p>Offsets and strides are in bytes, row and step indices in elements, as in
 * {@link GemmKernels}.
 */
final class Gemm {

    /** Columns of C per main tile: 8 vectors (64 doubles with AVX-512), 2 rows at a time. */
    static final int WIDE = 8 * LANES;
    /** Columns of C per secondary tile: 4 vectors, 4 rows at a time. */
    static final int MEDIUM = 4 * LANES;

    private Gemm() {}

    /**
     * Broadcast form over rows [r0, r1) of C and reduction steps [p0, p1):
     * C(r, j) (+)= Σ_p A(r, p) · B(p, j) for all n columns, A(r, p) at r·aRow + p·aStep and
     * B(p, j) at p·bStep + 8j. A non-null {@code bias} (only without {@code accumulate}) starts
     * every row's sums. When the reduction is longer than {@code kBlock} it is cut into blocks of
     * {@code kBlock} steps, and the rows into blocks of {@code rowBlock}, so that one block of B
     * (kBlock × n) is reused from cache by every tile of a row block. {@code wide} allows the
     * 2 × 64 tiles: best when B stays in L1 (A·B with k ≤ 96); when blocks of B stream through
     * (Aᵀ·B), the 4 × 32 tiles, which load half as much of B per FMA, do better.
     */
    static void broadcastForm(int r0, int r1, int p0, int p1, int n,
                              MemorySegment a, long aRow, long aStep, MemorySegment b, long bStep,
                              MemorySegment c, long cRow, boolean accumulate, MemorySegment bias,
                              int kBlock, int rowBlock, boolean wide) {
        // Where the sums start: C, the bias row (the same for every row) or zero.
        MemorySegment init = accumulate ? c : bias;
        long iRow = accumulate ? cRow : 0;
        if (p1 - p0 <= kBlock + kBlock / 2) {
            columns(r0, r1, p1 - p0, n, a, p0 * aStep, aRow, aStep, b, p0 * bStep, bStep, c, cRow, init, iRow, wide);
            return;
        }
        for (int rb = r0; rb < r1; rb += rowBlock) {
            int re = Math.min(r1, rb + rowBlock);
            for (int pb = p0, pe; pb < p1; pb = pe) {
                pe = blockEnd(pb, p1, kBlock);
                columns(rb, re, pe - pb, n, a, pb * aStep, aRow, aStep, b, pb * bStep, bStep, c, cRow,
                        pb == p0 ? init : c, pb == p0 ? iRow : cRow, wide);
            }
        }
    }

    /** The end of the reduction block that starts at pb: kBlock steps, or all the rest if that is short. */
    private static int blockEnd(int pb, int p1, int kBlock) {
        return p1 - pb < kBlock + kBlock / 2 ? p1 : pb + kBlock;
    }

    /**
     * All columns of rows [r0, r1) over k steps: widest tiles first (2 × 8 vectors, unless
     * {@code wide} is false), then 4 × 4 and 4 × 1 vectors, a partial vector last. A(r, p) is at
     * aP + r·aRow + p·aStep and B(p, j) at bP + p·bStep + 8j, for p = 0 … k−1; the sums of C(r, j)
     * start from {@code init} at r·iRow + 8j, or from zero when it is null.
     */
    private static void columns(int r0, int r1, int k, int n,
                                MemorySegment a, long aP, long aRow, long aStep,
                                MemorySegment b, long bP, long bStep,
                                MemorySegment c, long cRow, MemorySegment init, long iRow, boolean wide) {
        int j = 0;
        for (; j + WIDE <= n && wide; j += WIDE) {
            long bj = bP + j * 8L, cj = j * 8L;
            int r = r0;
            for (; r + 2 <= r1; r += 2) {
                GemmKernels.tile2x8v(k, a, r * aRow + aP, aRow, aStep, b, bj, bStep,
                        c, r * cRow + cj, cRow, init, r * iRow + cj, iRow);
            }
            if (r < r1) {
                GemmKernels.tile1x8v(k, a, r * aRow + aP, aRow, aStep, b, bj, bStep,
                        c, r * cRow + cj, cRow, init, r * iRow + cj, iRow);
            }
        }
        for (; j + MEDIUM <= n; j += MEDIUM) {
            long bj = bP + j * 8L, cj = j * 8L;
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                GemmKernels.tile4x4v(k, a, r * aRow + aP, aRow, aStep, b, bj, bStep,
                        c, r * cRow + cj, cRow, init, r * iRow + cj, iRow);
            }
            for (; r < r1; r++) {
                GemmKernels.tile1x4v(k, a, r * aRow + aP, aRow, aStep, b, bj, bStep,
                        c, r * cRow + cj, cRow, init, r * iRow + cj, iRow);
            }
        }
        for (; j + LANES <= n; j += LANES) {
            long bj = bP + j * 8L, cj = j * 8L;
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                GemmKernels.tile4x1v(k, a, r * aRow + aP, aRow, aStep, b, bj, bStep,
                        c, r * cRow + cj, cRow, init, r * iRow + cj, iRow);
            }
            for (; r < r1; r++) {
                GemmKernels.tile1x1v(k, a, r * aRow + aP, aRow, aStep, b, bj, bStep,
                        c, r * cRow + cj, cRow, init, r * iRow + cj, iRow);
            }
        }
        if (j < n) partialVector(r0, r1, k, n, j, a, aP, aRow, aStep, b, bP, bStep, c, cRow, init, iRow);
    }

    /**
     * The last n − j (&lt; one vector) columns: B's columns are copied into a zero-padded panel of
     * whole vectors and C's into a small padded tile, so that the kernels need no masks.
     */
    private static void partialVector(int r0, int r1, int k, int n, int j,
                                      MemorySegment a, long aP, long aRow, long aStep,
                                      MemorySegment b, long bP, long bStep,
                                      MemorySegment c, long cRow, MemorySegment init, long iRow) {
        int width = n - j;
        long panelRow = LANES * 8L;
        Scratch scratch = Scratch.local();
        MemorySegment bPanel = scratch.panel((long) k * LANES), cPanel = scratch.panelOut(4L * LANES);
        for (int p = 0; p < k; p++) {
            long from = bP + p * bStep + j * 8L, to = p * panelRow;
            for (int i = 0; i < LANES; i++) bPanel.set(DOUBLE, to + i * 8L, i < width ? b.get(DOUBLE, from + i * 8L) : 0.0);
        }
        for (int r = r0; r < r1; r += 4) {
            int rows = Math.min(4, r1 - r);
            MemorySegment start = null;
            if (init != null) {
                for (int i = 0; i < rows; i++) copyShort(init, (r + i) * iRow + j * 8L, cPanel, i * panelRow, width);
                start = cPanel;
            }
            if (rows == 4) {
                GemmKernels.tile4x1v(k, a, r * aRow + aP, aRow, aStep, bPanel, 0, panelRow, cPanel, 0, panelRow,
                        start, 0, panelRow);
            } else {
                for (int i = 0; i < rows; i++) {
                    GemmKernels.tile1x1v(k, a, (r + i) * aRow + aP, aRow, aStep, bPanel, 0, panelRow,
                            cPanel, i * panelRow, panelRow, start, i * panelRow, panelRow);
                }
            }
            for (int i = 0; i < rows; i++) copyShort(cPanel, i * panelRow, c, (r + i) * cRow + j * 8L, width);
        }
    }

    /** Copies fewer than a vector of doubles; a plain loop beats MemorySegment.copy's fixed cost here. */
    private static void copyShort(MemorySegment src, long from, MemorySegment dst, long to, int doubles) {
        for (int i = 0; i < doubles; i++) dst.set(DOUBLE, to + i * 8L, src.get(DOUBLE, from + i * 8L));
    }

    /**
     * Dot form over rows [r0, r1) of C: C(i, j) (+)= Σ_p A(i, p) · B(j, p) for all n columns,
     * with A row-major (row stride aRow) and B stored n × k (row stride bRow). For narrow C.
     */
    static void dotForm(int r0, int r1, int n, int k, MemorySegment a, long aRow, MemorySegment b, long bRow,
                        MemorySegment c, long cRow, boolean accumulate) {
        int eights = LANES == 8 ? n & ~7 : 0, wide = n & ~3;
        for (int i = r0; i < r1; i++) {
            for (int j = 0; j < eights; j += 8) {
                GemmKernels.dot1x8(k, a, i * aRow, b, j * bRow, bRow, c, i * cRow + j * 8L, accumulate);
            }
            for (int j = eights; j < wide; j += 4) {
                GemmKernels.dot1x4(k, a, i * aRow, b, j * bRow, bRow, c, i * cRow + j * 8L, accumulate);
            }
        }
        for (int j = wide; j < n; j++) {
            int i = r0;
            for (; i + 4 <= r1; i += 4) {
                GemmKernels.dot4x1(k, a, i * aRow, aRow, b, j * bRow, c, i * cRow + j * 8L, cRow, accumulate);
            }
            for (; i < r1; i++) {
                GemmKernels.dot1x1(k, a, i * aRow, b, j * bRow, c, i * cRow + j * 8L, accumulate);
            }
        }
    }

    /** dst (cols × rows) (+)= transpose of src (rows × cols), both row-major and dense. */
    static void transpose(int rows, int cols, MemorySegment src, MemorySegment dst, boolean accumulate) {
        // Blocks of 8 × 8 keep both the reads and the strided writes within a few cache lines.
        for (int r0 = 0; r0 < rows; r0 += 8) {
            int r1 = Math.min(rows, r0 + 8);
            for (int c0 = 0; c0 < cols; c0 += 8) {
                int c1 = Math.min(cols, c0 + 8);
                for (int r = r0; r < r1; r++) {
                    for (int col = c0; col < c1; col++) {
                        long to = ((long) col * rows + r) * 8;
                        double value = src.get(DOUBLE, ((long) r * cols + col) * 8);
                        dst.set(DOUBLE, to, accumulate ? dst.get(DOUBLE, to) + value : value);
                    }
                }
            }
        }
    }
}
