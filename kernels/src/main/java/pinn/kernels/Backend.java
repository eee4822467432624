package pinn.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The backend seam: every numeric primitive that the autodiff tape and the runtime need.
 *
 * <p>Data are float64 values in row-major order, held in native {@link MemorySegment}s that the
 * backend allocated with {@link #allocate}. Sizes are element counts, not bytes; a segment may be
 * longer than an operation needs. Elementwise operations may write in place ({@code out} may be
 * the same segment as an input); a GEMM output must not overlap its inputs. A backend uses the
 * segments only during the call (its worker threads included) and keeps none of them, so callers
 * may pass views of thread-confined memory.
 *
 * <p>Results are deterministic for a given backend and thread count: work is split over rows
 * in a fixed way and partial sums are combined in a fixed order.
 *
 * <p>A backend may own threads; {@link #close()} stops them.
 */
public interface Backend extends AutoCloseable {

    /** A short name for logs and metrics, e.g. {@code cpu-simd}. */
    String name();

    /** A zeroed segment of {@code elements} float64 values from {@code arena}, 64-byte aligned. */
    default MemorySegment allocate(Arena arena, long elements) {
        return arena.allocate(elements * Double.BYTES, 64);
    }

    // ---- matrix products: C is m×n; {@code accumulate} adds to C instead of overwriting it ----

    /** C[m×n] = A[m×k] · B[k×n]. */
    void gemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate);

    /** C[m×n] = Aᵀ · B, where A is stored k×m and B is k×n. */
    void gemmTransA(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate);

    /** C[m×n] = A · Bᵀ, where A is m×k and B is stored n×k. */
    void gemmTransB(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate);

    /** C[m×n] = A[m×k] · B[k×n] + bias, the bias (length n) added to every row. */
    void gemmBias(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c);

    // ---- elementwise over n values ----

    /** out = x + y. */
    void add(int n, MemorySegment x, MemorySegment y, MemorySegment out);

    /** out = x − y. */
    void sub(int n, MemorySegment x, MemorySegment y, MemorySegment out);

    /** out = x · y. */
    void mul(int n, MemorySegment x, MemorySegment y, MemorySegment out);

    /** out = x / y. */
    void div(int n, MemorySegment x, MemorySegment y, MemorySegment out);

    /** out = x · y + z, fused (one rounding per element on FMA hardware). */
    void mulAdd(int n, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out);

    /** out = alpha · x. */
    void scale(int n, double alpha, MemorySegment x, MemorySegment out);

    /** out = x + alpha. */
    void addScalar(int n, double alpha, MemorySegment x, MemorySegment out);

    /** out = x². */
    void square(int n, MemorySegment x, MemorySegment out);

    /** out = eˣ. */
    void exp(int n, MemorySegment x, MemorySegment out);

    /** out = ln x. */
    void log(int n, MemorySegment x, MemorySegment out);

    /** out = tanh x. */
    void tanh(int n, MemorySegment x, MemorySegment out);

    /**
     * out = the {@code order}-th derivative of tanh at x, computed from t = tanh(x) (the value the
     * forward pass already holds): order 1 is 1 − t², order 2 is −2t(1 − t²), order 3 is
     * −2(1 − t²)(1 − 3t²).
     *
     * @param order 1, 2 or 3
     */
    void tanhDerivative(int order, int n, MemorySegment tanhOfX, MemorySegment out);

    // ---- Taylor jets stacked as row blocks ----
    //
    // A jet along d directions is stored as d + 2 blocks of n values each, one after the other:
    // the value, the first derivative along each direction, and the second derivative along the
    // first direction. A network layer then treats the whole jet as one matrix.

    /**
     * tanh carried on a stacked jet (the chain rule, all blocks in one pass). With z the value
     * block, a₁ … a_d the tangent blocks and c the second-derivative block of {@code z}, and
     * t = tanh z, d₁ = 1 − t², d₂ = −2t·d₁, writes to {@code out} in the same layout
     *
     * <pre>
     *   t,   d₁·a₁, …, d₁·a_d,   d₁·c + d₂·a₁²
     * </pre>
     *
     * evaluated in that order of operations (d₂ as (t·−2)·d₁, a₁² as a₁·a₁) without fused
     * multiply-adds: the same values as {@link #tanh}, {@link #tanhDerivative}, {@link #square},
     * {@link #mul} and {@link #add} applied one after the other. {@code out} must not overlap
     * {@code z}. The default implementation composes the other operations (with fused
     * multiply-adds, so its last bits may differ).
     *
     * @param n values per block
     * @param directions d ≥ 1
     */
    default void tanhJet(int n, int directions, MemorySegment z, MemorySegment out) {
        checkJet(n, directions);
        long block = n * 8L;
        MemorySegment t = out.asSlice(0, block), out1 = out.asSlice(block, block);
        MemorySegment outC = out.asSlice((directions + 1) * block, block);
        MemorySegment a1 = z.asSlice(block, block), c = z.asSlice((directions + 1) * block, block);
        tanh(n, z, t);
        tanhDerivative(1, n, t, out1);               // out₁ holds d₁ for now
        tanhDerivative(2, n, t, outC);
        mul(n, outC, a1, outC);
        mul(n, outC, a1, outC);                      // d₂·a₁²
        mulAdd(n, out1, c, outC, outC);              // + d₁·c
        for (int i = directions; i >= 1; i--) mul(n, out1, z.asSlice(i * block, block), out.asSlice(i * block, block));
    }

    /**
     * The vector-Jacobian product of {@link #tanhJet}, from its output alone: given the output
     * {@code y} of tanhJet and a cotangent {@code g} of it (both stacked as tanhJet's blocks),
     * writes {@code out} = gᵀ·∂y/∂z in the same layout, z being tanhJet's input. With t the value
     * block of y, Y₁ … Y_d its tangent blocks and Y_c its second-derivative block, g₀, g_i, g_c
     * the blocks of g, and d₁ = 1 − t², u = t·−2:
     *
     * <pre>
     *   out₀ = g₀·d₁ + Σᵢ (g_i·Y_i)·u + g_c·(Y_c·u − (Y₁·Y₁)·2)     (added in this order)
     *   out₁ = g₁·d₁ + ((g_c·Y₁)·u)·2
     *   out_i = g_i·d₁  (i ≥ 2),    out_c = g_c·d₁
     * </pre>
     *
     * Since Y_i = d₁·a_i and Y_c = d₁·c + d₂·a₁² (a_i, c the input's blocks, d₂ = u·d₁), the
     * chain rule's terms in the input reduce to these: (g_i·a_i)·d₂ = (g_i·Y_i)·u, and
     * c·d₂ + a₁²·d₃ = Y_c·u − 2Y₁² with d₃ = −2d₁(1 − 3t²). So the input need not be kept.
     * {@code out} must not overlap the inputs. The default implementation composes the other
     * operations (in another order, so its last bits may differ).
     */
    default void tanhJetBackward(int n, int directions, MemorySegment y, MemorySegment g, MemorySegment out) {
        checkJet(n, directions);
        long block = n * 8L;
        MemorySegment t = y.asSlice(0, block), y1 = y.asSlice(block, block), yc = y.asSlice((directions + 1) * block, block);
        MemorySegment gc = g.asSlice((directions + 1) * block, block);
        MemorySegment out0 = out.asSlice(0, block), out1 = out.asSlice(block, block);
        MemorySegment outC = out.asSlice((directions + 1) * block, block);
        square(n, y1, out0);
        scale(n, -2, out0, out0);                    // −2·Y₁²
        scale(n, -2, t, out1);                       // out₁ holds u = −2t for now
        mulAdd(n, yc, out1, out0, out0);             // Y_c·u − 2·Y₁²
        mul(n, out0, gc, out0);
        for (int i = 1; i <= directions; i++) {
            mul(n, g.asSlice(i * block, block), y.asSlice(i * block, block), outC);
            mulAdd(n, outC, out1, out0, out0);       // + (g_i·Y_i)·u
        }
        mul(n, out1, y1, out1);
        mul(n, out1, gc, out1);
        scale(n, 2, out1, out1);                     // 2·g_c·Y₁·u
        tanhDerivative(1, n, t, outC);               // out_c holds d₁ for now
        mulAdd(n, g.asSlice(0, block), outC, out0, out0);
        mulAdd(n, g.asSlice(block, block), outC, out1, out1);
        for (int i = 2; i <= directions; i++) mul(n, g.asSlice(i * block, block), outC, out.asSlice(i * block, block));
        mul(n, gc, outC, outC);
    }

    /**
     * The affine layer and tanh on a stacked jet, fused: out = tanhJet(x·W + b), the bias added
     * to the value block only, without storing x·W + b. x holds directions + 2 blocks of
     * {@code rows} rows × k, W is k × m, b 1 × m, out directions + 2 blocks of rows × m: the same
     * values as {@link #gemmBias} on the value block, {@link #gemm} on the others, then
     * {@link #tanhJet}. {@code out} must not overlap the inputs. The default implementation does
     * exactly that, through a temporary.
     *
     * @param rows points: rows per block
     */
    default void tanhJetLinear(int rows, int directions, int k, int m, MemorySegment x, MemorySegment w, MemorySegment b,
                               MemorySegment out) {
        checkJet(rows, directions);
        long valueRows = rows;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment z = allocate(arena, (directions + 2) * valueRows * m);
            gemmBias(rows, m, k, x, w, b, z);
            gemm((directions + 1) * rows, m, k, x.asSlice(valueRows * k * 8), w, z.asSlice(valueRows * m * 8), false);
            tanhJet(rows * m, directions, z, out);
        }
    }

    /**
     * The backward pass of {@link #tanhJetLinear}, fused: with gz = tanhJetBackward(y, g) for its
     * output y and a cotangent g of y (gz is never stored), writes dx = gz·Wᵀ (skipped when
     * {@code dx} is null), dw = xᵀ·gz and db = the column sums of gz's value block: the
     * cotangents of x, W and b. Shapes as in tanhJetLinear; dx like x, dw k × m, db 1 × m. The
     * outputs must not overlap the inputs. The default implementation composes
     * {@link #tanhJetBackward}, {@link #gemmTransB}, {@link #gemmTransA} and {@link #columnSums}
     * through a temporary.
     */
    default void tanhJetLinearBackward(int rows, int directions, int k, int m, MemorySegment x, MemorySegment w,
                                       MemorySegment y, MemorySegment g, MemorySegment dx, MemorySegment dw, MemorySegment db) {
        checkJet(rows, directions);
        int stacked = (directions + 2) * rows;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment gz = allocate(arena, (long) stacked * m);
            tanhJetBackward(rows * m, directions, y, g, gz);
            if (dx != null) gemmTransB(stacked, k, m, gz, w, dx, false);
            gemmTransA(k, m, stacked, x, gz, dw, false);
            columnSums(rows, m, gz, db);
        }
    }

    /** out = value, n times. */
    void fill(int n, double value, MemorySegment out);

    /** out = x. */
    void copy(int n, MemorySegment x, MemorySegment out);

    // ---- broadcasts and reductions over a rows×cols matrix ----

    /** out[r][c] = x[r][c] + v[c]: the row vector v added to every row. */
    void addRowVector(int rows, int cols, MemorySegment x, MemorySegment v, MemorySegment out);

    /** out[c] = Σ_r x[r][c]: the sum of each column, a vector of length cols. */
    void columnSums(int rows, int cols, MemorySegment x, MemorySegment out);

    /** out[r] = Σ_c x[r][c]: the sum of each row, a vector of length rows. */
    void rowSums(int rows, int cols, MemorySegment x, MemorySegment out);

    // ---- optimiser ----

    /**
     * One Adam step (Kingma and Ba) over n parameters, in place: updates the first and second
     * moment estimates from the gradient, then the parameters with bias-corrected moments.
     *
     * @param step the 1-based step number, for bias correction
     */
    void adam(int n, MemorySegment params, MemorySegment grads, MemorySegment firstMoment,
              MemorySegment secondMoment, AdamConfig config, long step);

    /** Checks the block size and direction count of a stacked jet. */
    private static void checkJet(int n, int directions) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, was " + n);
        if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
    }

    /** Stops any threads the backend owns. Closing twice is harmless. */
    @Override
    default void close() {}
}
