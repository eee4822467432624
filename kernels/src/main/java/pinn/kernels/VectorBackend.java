package pinn.kernels;

import static pinn.kernels.GemmKernels.LANES;

import java.lang.foreign.MemorySegment;

/**
 * The CPU backend: float64 kernels on {@code jdk.incubator.vector} (8 doubles per vector with
 * AVX-512), reading and writing native segments directly, multi-threaded over rows for large
 * problems. {@link #name()} is {@code cpu-simd}.
 *
 * <h2>Matrix products</h2>
 * Register-blocked micro-kernels ({@link GemmKernels}, driven by {@link Gemm}). A·B: tiles of
 * 2 rows × 64 columns of C held in 16 vector registers, 16 FMAs per 8 loads of B, B read in
 * place and kept in L1. A·Bᵀ: Bᵀ packed once per call into per-thread scratch, then the same.
 * Aᵀ·B (the weight gradient, reduced over the long dimension): A and B read in place, the
 * reduction blocked by 64 steps, tiles of 4 × 32 (which load half as much of the streaming B per
 * FMA). Narrow outputs (fewer columns than a vector) and A·Bᵀ with fewer than 16 rows use dot
 * products instead. Each element of C is a chain of FMAs over k in order, so results match the
 * scalar reference to within the rounding of k products (relative to |A|·|B|, well under 1e-13
 * for the sizes here) and do not depend on how rows are split. No call allocates once the
 * scratch buffers have grown.
 *
 * <h2>Threads</h2>
 * {@code threads − 1} daemon workers named {@code pinn-cpu-N} plus the calling thread. A call is
 * split only when it is worth a thread hand-off: GEMMs of at least {@value #PARALLEL_FLOPS}
 * floating-point operations, elementwise work of at least {@value #PARALLEL_ELEMENTS} elements;
 * smaller calls run on the calling thread alone. The split is into fixed contiguous ranges, up
 * to {@value #RANGES_PER_THREAD} per thread, that the threads take one at a time (rows, or for
 * Aᵀ·B and column sums the reduction, whose per-range partial results are then added in range
 * order), so results are bit-identical from run to run for a given thread count.
 * Workers can only touch segments that any thread may access (shared, global or automatic
 * arenas): a call with an operand from a confined arena runs every range on the calling thread,
 * over the same ranges, with the same bits. The backend is safe to use from several threads at
 * once.
 *
 * <h2>Accuracy of the elementwise functions</h2>
 * add, sub, mul, div, mulAdd, scale, addScalar, square, tanhDerivative, tanhJetBackward, fill,
 * copy, addRowVector, columnSums (over a single range) and adam evaluate the reference formula
 * operation for operation and are bit-identical to {@link ReferenceBackend}; tanhJet and
 * tanhJetLinear apply the reference's arithmetic to this backend's tanh (and GEMM). exp and log are within 1 ulp of
 * {@link StrictMath}, tanh within 2 ulps (absolute error ≤ 2.3e-16); all three
 * give the same bits in interpreted and compiled code (see {@link VectorMath}). rowSums adds
 * whole vectors first, so it differs from the reference's left-to-right sum by rounding only.
 *
 * <h2>Warm-up</h2>
 * Until the JIT has compiled them (after a few thousand calls, or about a second of a large
 * one), Vector API kernels run in the interpreter hundreds of times slower: benchmark after a
 * warm-up.
 *
 * <h2>Closing</h2>
 * {@link #close()} stops the workers (waiting up to a second for running tasks); closing twice is
 * harmless. A closed backend still works: every call then runs on the calling thread, over the
 * same ranges as before, so it gives the same bits, just more slowly.
 */
public final class VectorBackend implements Backend {

    /** GEMMs with at least this many floating-point operations (2·m·n·k) are split across threads. */
    public static final long PARALLEL_FLOPS = 1L << 20;
    /** Elementwise work over at least this many elements is split across threads. */
    public static final int PARALLEL_ELEMENTS = 1 << 16;

    // A·B and A·Bᵀ: reductions longer than this are blocked so a K_BLOCK × n block of B stays in L1.
    private static final int K_BLOCK = 64;
    private static final int ROW_BLOCK = 64;
    // Aᵀ·B: the reduction runs over the long dimension; blocks of it keep A and B blocks in cache.
    private static final int TRANS_A_K_BLOCK = 64;
    private static final int TRANS_A_ROW_BLOCK = 128;
    // A·Bᵀ with fewer rows than this uses dot products instead of packing Bᵀ.
    private static final int TRANS_B_PACK_MIN_ROWS = 16;
    // Ranges per thread in a split: the threads take them one at a time, so one held back by the
    // operating system delays only the range it is in.
    private static final int RANGES_PER_THREAD = 4;
    // A range of a split: at least this many rows, or steps of a reduction.
    private static final int MIN_ROWS_PER_TASK = 16;
    private static final int MIN_STEPS_PER_TASK = 256;

    private final WorkerPool pool;
    private final long parallelFlops;
    private final int parallelElements;
    private final int minRowsPerTask;
    private final int minStepsPerTask;

    /** A backend with one thread per available processor. */
    public VectorBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param threads the number of threads a large call is split over, the caller's included;
     *                1 means single-threaded (no worker threads are started)
     */
    public VectorBackend(int threads) {
        this(threads, false);
    }

    /**
     * For tests: with {@code splitEverything}, every call is split across the threads whatever
     * its size, so that small odd shapes exercise the same range splits as large ones.
     */
    VectorBackend(int threads, boolean splitEverything) {
        this.pool = new WorkerPool(threads);
        this.parallelFlops = splitEverything ? 0 : PARALLEL_FLOPS;
        this.parallelElements = splitEverything ? 0 : PARALLEL_ELEMENTS;
        this.minRowsPerTask = splitEverything ? 1 : MIN_ROWS_PER_TASK;
        this.minStepsPerTask = splitEverything ? 1 : MIN_STEPS_PER_TASK;
    }

    @Override
    public String name() {
        return "cpu-simd";
    }

    @Override
    public String toString() {
        return name() + "(threads=" + threads() + ")";
    }

    /** The number of threads a large call is split over. */
    public int threads() {
        return pool.threads();
    }

    /** Stops the worker threads; later calls run on the calling thread. Harmless when called twice. */
    @Override
    public void close() {
        pool.close();
    }

    // ---- matrix products ----

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        checkGemm(m, n, k, a, b, c);
        multiply(m, n, k, a, b, c, accumulate, null);
    }

    @Override
    public void gemmBias(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        checkGemm(m, n, k, a, b, c);
        requireDoubles(bias, n, "bias");
        multiply(m, n, k, a, b, c, false, bias);
    }

    /** C = A·B (+ C) (+ bias): broadcast tiles reading B in place, or dot products when C is narrow. */
    private void multiply(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c,
                          boolean accumulate, MemorySegment bias) {
        if (m == 0 || n == 0) return;
        long aRow = k * 8L, cRow = n * 8L;
        int tasks = rowTasks(m, n, k);
        if (n < LANES) {
            // Narrow C (e.g. a 64 → 1 output layer): dot products of rows of A with columns of B,
            // packed as rows (a single column already is one).
            MemorySegment bt = n == 1 ? b : transposed(k, n, b);
            if (tasks == 1) {
                Gemm.dotForm(0, m, n, k, a, aRow, bt, aRow, c, cRow, accumulate);
            } else {
                pool.forRanges(m, tasks, 8, confined(a, bt, c), (t, r0, r1) ->
                        Gemm.dotForm(r0, r1, n, k, a, aRow, bt, aRow, c, cRow, accumulate));
            }
            if (bias != null) addRowVector(m, n, c, bias, c);
            return;
        }
        if (tasks == 1) {
            Gemm.broadcastForm(0, m, 0, k, n, a, aRow, 8, b, cRow, c, cRow, accumulate, bias,
                    K_BLOCK, ROW_BLOCK, true);
        } else {
            pool.forRanges(m, tasks, 8, confined(a, b, c) || (bias != null && confined(bias)), (t, r0, r1) ->
                    Gemm.broadcastForm(r0, r1, 0, k, n, a, aRow, 8, b, cRow, c, cRow, accumulate, bias,
                            K_BLOCK, ROW_BLOCK, true));
        }
    }

    @Override
    public void gemmTransA(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        checkDims(m, n, k);
        requireDoubles(a, (long) k * m, "A");
        requireDoubles(b, (long) k * n, "B");
        requireDoubles(c, (long) m * n, "C");
        if (m == 0 || n == 0) return;
        if (n < LANES && m >= LANES) {
            // Narrow C (e.g. the gradient of a 64 → 1 layer): Cᵀ = Bᵀ·A has wide rows. For n = 1
            // Cᵀ and C have the same layout; otherwise compute Cᵀ in scratch and transpose it in.
            if (n == 1) {
                reduceTransA(n, m, k, b, a, c, accumulate);
            } else {
                MemorySegment ct = Scratch.local().packed((long) m * n);
                reduceTransA(n, m, k, b, a, ct, false);
                Gemm.transpose(n, m, ct, c, accumulate);
            }
            return;
        }
        reduceTransA(m, n, k, a, b, c, accumulate);
    }

    /**
     * C (+)= Aᵀ·B with A stored k × m: tiles read A(r, p) at p·m + r. Split over the reduction;
     * range 0 writes C directly, the others write partial results that are added in range order.
     */
    private void reduceTransA(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        int tasks = reductionTasks(m, n, k);
        long aStep = m * 8L, bStep = n * 8L;
        if (tasks == 1) {
            Gemm.broadcastForm(0, m, 0, k, n, a, 8, aStep, b, bStep, c, bStep, accumulate, null,
                    TRANS_A_K_BLOCK, TRANS_A_ROW_BLOCK, false);
            return;
        }
        int size = m * n;
        MemorySegment partials = Scratch.local().partials((long) (tasks - 1) * size);
        pool.forRanges(k, tasks, 64, confined(a, b, c), (t, p0, p1) -> {
            MemorySegment out = t == 0 ? c : partials.asSlice((long) (t - 1) * size * 8, size * 8L);
            Gemm.broadcastForm(0, m, p0, p1, n, a, 8, aStep, b, bStep, out, bStep, t == 0 && accumulate, null,
                    TRANS_A_K_BLOCK, TRANS_A_ROW_BLOCK, false);
        });
        for (int t = 1; t < tasks; t++) {
            Elementwise.add(0, size, c, partials.asSlice((long) (t - 1) * size * 8, size * 8L), c);
        }
    }

    @Override
    public void gemmTransB(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        checkDims(m, n, k);
        requireDoubles(a, (long) m * k, "A");
        requireDoubles(b, (long) n * k, "B");
        requireDoubles(c, (long) m * n, "C");
        if (m == 0 || n == 0) return;
        long aRow = k * 8L, cRow = n * 8L;
        int tasks = rowTasks(m, n, k);
        if (n >= LANES && m >= TRANS_B_PACK_MIN_ROWS) {
            // Pack Bᵀ (k × n) once, then it is an ordinary A·B.
            MemorySegment bt = transposed(n, k, b);
            if (tasks == 1) {
                Gemm.broadcastForm(0, m, 0, k, n, a, aRow, 8, bt, cRow, c, cRow, accumulate, null,
                        K_BLOCK, ROW_BLOCK, true);
            } else {
                pool.forRanges(m, tasks, 8, confined(a, c), (t, r0, r1) -> Gemm.broadcastForm(
                        r0, r1, 0, k, n, a, aRow, 8, bt, cRow, c, cRow, accumulate, null, K_BLOCK, ROW_BLOCK, true));
            }
            return;
        }
        // Few rows, or narrow C: dot products of rows of A with rows of B, no packing.
        if (tasks == 1) {
            Gemm.dotForm(0, m, n, k, a, aRow, b, aRow, c, cRow, accumulate);
        } else {
            pool.forRanges(m, tasks, 8, confined(a, b, c), (t, r0, r1) ->
                    Gemm.dotForm(r0, r1, n, k, a, aRow, b, aRow, c, cRow, accumulate));
        }
    }

    /** A copy of the rows × cols matrix x, transposed, in the calling thread's scratch. */
    private static MemorySegment transposed(int rows, int cols, MemorySegment x) {
        MemorySegment t = Scratch.local().packed((long) rows * cols);
        Gemm.transpose(rows, cols, x, t, false);
        return t;
    }

    /** Into how many ranges a GEMM is split over its m rows. */
    private int rowTasks(int m, int n, int k) {
        if (pool.threads() == 1 || 2L * m * n * k < parallelFlops) return 1;
        return Math.max(1, Math.min(maxRanges(), m / minRowsPerTask));
    }

    /** Into how many ranges a GEMM is split over its reduction of length k (each range adds a partial result). */
    private int reductionTasks(int m, int n, int k) {
        if (pool.threads() == 1 || 2L * m * n * k < parallelFlops) return 1;
        return Math.max(1, Math.min(maxRanges(), k / minStepsPerTask));
    }

    /** Into how many ranges elementwise work over n elements is split. */
    private int elementTasks(long n) {
        if (pool.threads() == 1 || n < parallelElements) return 1;
        return (int) Math.max(1, Math.min(maxRanges(), n / Math.max(1, parallelElements / RANGES_PER_THREAD)));
    }

    /** The most ranges a call is split into: a few per thread, taken dynamically (see {@link WorkerPool}). */
    private int maxRanges() {
        return pool.threads() * RANGES_PER_THREAD;
    }

    // ---- elementwise ----

    @Override
    public void add(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        check(n, x, y, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.add(0, n, x, y, out);
        else pool.forRanges(n, tasks, LANES, confined(x, y, out), (t, from, to) -> Elementwise.add(from, to, x, y, out));
    }

    @Override
    public void sub(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        check(n, x, y, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.sub(0, n, x, y, out);
        else pool.forRanges(n, tasks, LANES, confined(x, y, out), (t, from, to) -> Elementwise.sub(from, to, x, y, out));
    }

    @Override
    public void mul(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        check(n, x, y, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.mul(0, n, x, y, out);
        else pool.forRanges(n, tasks, LANES, confined(x, y, out), (t, from, to) -> Elementwise.mul(from, to, x, y, out));
    }

    @Override
    public void div(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        check(n, x, y, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.div(0, n, x, y, out);
        else pool.forRanges(n, tasks, LANES, confined(x, y, out), (t, from, to) -> Elementwise.div(from, to, x, y, out));
    }

    @Override
    public void mulAdd(int n, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out) {
        check(n, x, y, out);
        requireDoubles(z, n, "z");
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.mulAdd(0, n, x, y, z, out);
        else pool.forRanges(n, tasks, LANES, confined(x, y, z) || confined(out), (t, from, to) ->
                Elementwise.mulAdd(from, to, x, y, z, out));
    }

    @Override
    public void scale(int n, double alpha, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.scale(0, n, alpha, x, out);
        else pool.forRanges(n, tasks, LANES, confined(x, out), (t, from, to) -> Elementwise.scale(from, to, alpha, x, out));
    }

    @Override
    public void addScalar(int n, double alpha, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.addScalar(0, n, alpha, x, out);
        else pool.forRanges(n, tasks, LANES, confined(x, out), (t, from, to) -> Elementwise.addScalar(from, to, alpha, x, out));
    }

    @Override
    public void square(int n, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.square(0, n, x, out);
        else pool.forRanges(n, tasks, LANES, confined(x, out), (t, from, to) -> Elementwise.square(from, to, x, out));
    }

    /** out = eˣ, within 1 ulp; see {@link VectorMath}. */
    @Override
    public void exp(int n, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        int tasks = elementTasks(n);
        if (tasks == 1) VectorMath.exp(0, n, x, out);
        else pool.forRanges(n, tasks, LANES, confined(x, out), (t, from, to) -> VectorMath.exp(from, to, x, out));
    }

    /** out = ln x, within 1 ulp; see {@link VectorMath}. */
    @Override
    public void log(int n, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        int tasks = elementTasks(n);
        if (tasks == 1) VectorMath.log(0, n, x, out);
        else pool.forRanges(n, tasks, LANES, confined(x, out), (t, from, to) -> VectorMath.log(from, to, x, out));
    }

    /** out = tanh x, within 2 ulps (absolute error ≤ 2.3e-16); see {@link VectorMath}. */
    @Override
    public void tanh(int n, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        int tasks = elementTasks(n);
        if (tasks == 1) VectorMath.tanh(0, n, x, out);
        else pool.forRanges(n, tasks, LANES, confined(x, out), (t, from, to) -> VectorMath.tanh(from, to, x, out));
    }

    @Override
    public void tanhDerivative(int order, int n, MemorySegment tanhOfX, MemorySegment out) {
        if (order < 1 || order > 3) {
            throw new IllegalArgumentException("tanh derivative order must be 1, 2 or 3, was " + order);
        }
        check(n, tanhOfX, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.tanhDerivative(order, 0, n, tanhOfX, out);
        else pool.forRanges(n, tasks, LANES, confined(tanhOfX, out), (t, from, to) ->
                Elementwise.tanhDerivative(order, from, to, tanhOfX, out));
    }

    /** One pass over every block; tanh within 2 ulps, the rest as the reference's arithmetic (see {@link JetKernels}). */
    @Override
    public void tanhJet(int n, int directions, MemorySegment z, MemorySegment out) {
        long size = checkJet(n, directions, z, out);
        int tasks = elementTasks(size);
        if (tasks == 1) JetKernels.tanhJet(0, n, n, directions, z, out);
        else pool.forRanges(n, tasks, LANES, confined(z, out), (t, from, to) ->
                JetKernels.tanhJet(from, to, n, directions, z, out));
    }

    /** One pass over every block, bit-identical to the reference (see {@link JetKernels}). */
    @Override
    public void tanhJetBackward(int n, int directions, MemorySegment y, MemorySegment g, MemorySegment out) {
        long size = checkJet(n, directions, y, out);
        requireDoubles(g, size, "g");
        int tasks = elementTasks(size);
        if (tasks == 1) JetKernels.tanhJetBackward(0, n, n, directions, y, g, out);
        else pool.forRanges(n, tasks, LANES, confined(y, g, out), (t, from, to) ->
                JetKernels.tanhJetBackward(from, to, n, directions, y, g, out));
    }

    /**
     * Chunks of {@value JetKernels#LINEAR_CHUNK_POINTS} points: each chunk's x·W + b (all blocks)
     * goes to per-thread scratch and from there through the chain rule into out, so it is never
     * written to memory; split over the points. The GEMM is bit-identical to {@link #gemmBias} and
     * {@link #gemm}, the rest to {@link #tanhJet}. Layers narrower than a vector take the default
     * path.
     */
    @Override
    public void tanhJetLinear(int rows, int directions, int k, int m, MemorySegment x, MemorySegment w, MemorySegment b,
                              MemorySegment out) {
        checkDims(rows, m, k);
        if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
        long blocks = directions + 2;
        requireDoubles(x, blocks * rows * k, "x");
        requireDoubles(w, (long) k * m, "W");
        requireDoubles(b, m, "bias");
        requireDoubles(out, blocks * rows * m, "out");
        if (m < LANES) {
            Backend.super.tanhJetLinear(rows, directions, k, m, x, w, b, out);
            return;
        }
        int tasks = rowTasks((int) Math.min(Integer.MAX_VALUE, blocks * rows), m, k);
        tasks = Math.max(1, Math.min(tasks, rows / JetKernels.LINEAR_CHUNK_POINTS));
        if (tasks == 1) {
            JetKernels.tanhJetLinear(0, rows, rows, directions, k, m, x, w, b, out, K_BLOCK, ROW_BLOCK);
        } else {
            pool.forRanges(rows, tasks, JetKernels.LINEAR_CHUNK_POINTS, confined(x, w, b) || confined(out), (t, p0, p1) ->
                    JetKernels.tanhJetLinear(p0, p1, rows, directions, k, m, x, w, b, out, K_BLOCK, ROW_BLOCK));
        }
    }

    /**
     * Chunks of {@value JetKernels#LINEAR_CHUNK_POINTS} points: each chunk's gz goes to per-thread
     * scratch, and dx's rows, xᵀ·gz and the bias sums are taken from there while it is in cache
     * (gz is never written to memory). Split over the points; each range adds its own partial
     * dw and db, which are then added in range order, so results repeat bit for bit for a given
     * thread count. dx is bit-identical to {@link #gemmTransB} of gz; dw and db sum the same
     * products as {@link #gemmTransA} and {@link #columnSums} in another order. Layers narrower
     * than a vector take the default path.
     */
    @Override
    public void tanhJetLinearBackward(int rows, int directions, int k, int m, MemorySegment x, MemorySegment w,
                                      MemorySegment y, MemorySegment g, MemorySegment dx, MemorySegment dw, MemorySegment db) {
        checkDims(rows, m, k);
        if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
        long blocks = directions + 2;
        requireDoubles(x, blocks * rows * k, "x");
        requireDoubles(w, (long) k * m, "W");
        requireDoubles(y, blocks * rows * m, "y");
        requireDoubles(g, blocks * rows * m, "g");
        if (dx != null) requireDoubles(dx, blocks * rows * k, "dx");
        requireDoubles(dw, (long) k * m, "dw");
        requireDoubles(db, m, "db");
        if (m < LANES || rows == 0 || k == 0) {
            Backend.super.tanhJetLinearBackward(rows, directions, k, m, x, w, y, g, dx, dw, db);
            return;
        }
        MemorySegment wt = dx == null ? w : transposed(k, m, w); // m × k, in this thread's scratch
        int tasks = rowTasks((int) Math.min(Integer.MAX_VALUE, blocks * rows), Math.max(k, m), Math.max(k, m));
        tasks = Math.max(1, Math.min(tasks, rows / JetKernels.LINEAR_CHUNK_POINTS));
        if (tasks == 1) {
            JetKernels.tanhJetLinearBackward(0, rows, rows, directions, k, m, x, wt, y, g, dx, dw, db,
                    K_BLOCK, ROW_BLOCK, TRANS_A_K_BLOCK, TRANS_A_ROW_BLOCK);
            return;
        }
        // Range 0 adds into dw and db, the others into partials, added in range order.
        int partialSize = k * m + m;
        MemorySegment partials = Scratch.local().partials((long) (tasks - 1) * partialSize);
        boolean callerOnly = confined(x, w, y) || confined(g, dw, db) || (dx != null && confined(dx));
        pool.forRanges(rows, tasks, JetKernels.LINEAR_CHUNK_POINTS, callerOnly, (t, p0, p1) -> {
            MemorySegment dwOut = dw, dbOut = db;
            if (t > 0) {
                long offset = (long) (t - 1) * partialSize * 8;
                dwOut = partials.asSlice(offset, (long) k * m * 8);
                dbOut = partials.asSlice(offset + (long) k * m * 8, m * 8L);
            }
            JetKernels.tanhJetLinearBackward(p0, p1, rows, directions, k, m, x, wt, y, g, dx, dwOut, dbOut,
                    K_BLOCK, ROW_BLOCK, TRANS_A_K_BLOCK, TRANS_A_ROW_BLOCK);
        });
        for (int t = 1; t < tasks; t++) {
            long offset = (long) (t - 1) * partialSize * 8;
            Elementwise.add(0, k * m, dw, partials.asSlice(offset, (long) k * m * 8), dw);
            Elementwise.add(0, m, db, partials.asSlice(offset + (long) k * m * 8, m * 8L), db);
        }
    }

    @Override
    public void fill(int n, double value, MemorySegment out) {
        check(n, out);
        int tasks = elementTasks(n);
        if (tasks == 1) Elementwise.fill(0, n, value, out);
        else pool.forRanges(n, tasks, LANES, confined(out), (t, from, to) -> Elementwise.fill(from, to, value, out));
    }

    @Override
    public void copy(int n, MemorySegment x, MemorySegment out) {
        check(n, x, out);
        MemorySegment.copy(x, 0, out, 0, n * 8L); // memmove: in place is fine
    }

    // ---- broadcasts and reductions ----

    @Override
    public void addRowVector(int rows, int cols, MemorySegment x, MemorySegment v, MemorySegment out) {
        checkMatrix(rows, cols, x, out);
        requireDoubles(v, cols, "v");
        int tasks = elementTasks((long) rows * cols);
        if (tasks == 1) Elementwise.addRowVector(0, rows, cols, x, v, out);
        else pool.forRanges(rows, tasks, 1, confined(x, v, out), (t, from, to) ->
                Elementwise.addRowVector(from, to, cols, x, v, out));
    }

    @Override
    public void columnSums(int rows, int cols, MemorySegment x, MemorySegment out) {
        checkDims(rows, cols, 0);
        requireDoubles(x, (long) rows * cols, "x");
        requireDoubles(out, cols, "out");
        int tasks = Math.min(elementTasks((long) rows * cols), Math.max(1, rows / minRowsPerTask));
        if (tasks == 1) {
            Elementwise.columnSums(0, rows, cols, x, out, false);
            return;
        }
        // Range 0 sums into out, the others into partials, added in range order.
        MemorySegment partials = Scratch.local().partials((long) (tasks - 1) * cols);
        pool.forRanges(rows, tasks, 1, confined(x, out), (t, from, to) -> {
            MemorySegment target = t == 0 ? out : partials.asSlice((long) (t - 1) * cols * 8, cols * 8L);
            Elementwise.columnSums(from, to, cols, x, target, false);
        });
        for (int t = 1; t < tasks; t++) {
            Elementwise.add(0, cols, out, partials.asSlice((long) (t - 1) * cols * 8, cols * 8L), out);
        }
    }

    @Override
    public void rowSums(int rows, int cols, MemorySegment x, MemorySegment out) {
        checkDims(rows, cols, 0);
        requireDoubles(x, (long) rows * cols, "x");
        requireDoubles(out, rows, "out");
        int tasks = elementTasks((long) rows * cols);
        if (tasks == 1) Elementwise.rowSums(0, rows, cols, x, out);
        else pool.forRanges(rows, tasks, 1, confined(x, out), (t, from, to) -> Elementwise.rowSums(from, to, cols, x, out));
    }

    // ---- optimiser ----

    @Override
    public void adam(int n, MemorySegment params, MemorySegment grads, MemorySegment firstMoment,
                     MemorySegment secondMoment, AdamConfig config, long step) {
        check(n, params, grads, firstMoment, secondMoment);
        if (step < 1) throw new IllegalArgumentException("step must be >= 1, was " + step);
        double correction1 = 1 - Math.pow(config.beta1(), step);
        double correction2 = 1 - Math.pow(config.beta2(), step);
        int tasks = elementTasks(n);
        if (tasks == 1) {
            Elementwise.adam(0, n, params, grads, firstMoment, secondMoment, config, correction1, correction2);
        } else {
            pool.forRanges(n, tasks, LANES, confined(params, grads, firstMoment) || confined(secondMoment), (t, from, to) ->
                    Elementwise.adam(from, to, params, grads, firstMoment, secondMoment, config, correction1, correction2));
        }
    }

    // ---- thread confinement ----

    // Never started: a segment this thread may access is accessible from the workers too.
    private static final Thread OTHER_THREAD = new Thread(() -> {}, "segment-access-probe");

    /** Whether any of the segments is confined to its owner thread (then a call stays on the caller). */
    private static boolean confined(MemorySegment a) {
        return !a.isAccessibleBy(OTHER_THREAD);
    }

    private static boolean confined(MemorySegment a, MemorySegment b) {
        return confined(a) || confined(b);
    }

    private static boolean confined(MemorySegment a, MemorySegment b, MemorySegment c) {
        return confined(a) || confined(b) || confined(c);
    }

    // ---- argument checks: cheap, and they turn a crash deep in a kernel into a clear message ----

    private static void checkDims(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("dimensions must be >= 0, were m=" + m + " n=" + n + " k=" + k);
        }
    }

    /** Checks a stacked jet's sizes; returns its number of values, (directions + 2)·n. */
    private static long checkJet(int n, int directions, MemorySegment z, MemorySegment out) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, was " + n);
        if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
        long size = (long) (directions + 2) * n;
        requireDoubles(z, size, "z");
        requireDoubles(out, size, "out");
        return size;
    }

    private static void checkGemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c) {
        checkDims(m, n, k);
        requireDoubles(a, (long) m * k, "A");
        requireDoubles(b, (long) k * n, "B");
        requireDoubles(c, (long) m * n, "C");
    }

    private static void checkMatrix(int rows, int cols, MemorySegment x, MemorySegment out) {
        checkDims(rows, cols, 0);
        requireDoubles(x, (long) rows * cols, "x");
        requireDoubles(out, (long) rows * cols, "out");
    }

    // Fixed arities rather than varargs: no array allocation per call.
    private static void check(int n, MemorySegment out) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, was " + n);
        requireDoubles(out, n, "out");
    }

    private static void check(int n, MemorySegment x, MemorySegment out) {
        check(n, out);
        requireDoubles(x, n, "x");
    }

    private static void check(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        check(n, x, out);
        requireDoubles(y, n, "y");
    }

    private static void check(int n, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v) {
        check(n, p, g, m);
        requireDoubles(v, n, "second moment");
    }

    private static void requireDoubles(MemorySegment s, long count, String name) {
        if (s.byteSize() < count * Double.BYTES) {
            throw new IllegalArgumentException(name + " holds " + s.byteSize() / Double.BYTES
                    + " doubles but the operation needs " + count);
        }
    }
}
