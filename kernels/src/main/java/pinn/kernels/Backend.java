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

    /** Stops any threads the backend owns. Closing twice is harmless. */
    @Override
    default void close() {}
}
