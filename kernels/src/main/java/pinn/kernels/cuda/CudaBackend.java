package pinn.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import pinn.kernels.AdamConfig;
import pinn.kernels.Backend;

/**
 * The backend seam on an NVIDIA GPU: DGEMM through cuBLAS, the other ops as the kernels of
 * native/ (compiled to PTX), float64 throughout. Obtained from {@link CudaProbe}, which says why
 * when a GPU cannot be used.
 *
 * <p><b>Where the data live.</b> {@link #allocate} hands out CUDA <em>managed</em> memory: one
 * address that is valid on the host and on the device, so a segment from this backend is at once
 * what {@code Tensor} reads and writes on the host and what a kernel reads and writes on the
 * device. Intermediates that only kernels touch (a training step's activations, jets and
 * gradients) stay in device memory, with no copy per op; the driver moves a page to the host only
 * when the host touches it (inputs written, results read). Segments from anywhere else ("foreign"
 * memory) still work: they are staged through pinned host buffers and device buffers for the
 * length of the call (correct, and slow).
 *
 * <p><b>When results are visible.</b> The seam's callers read segments on the host right after a
 * call returns, so by default every call waits for its work to finish (one stream
 * synchronisation per op, a few microseconds). A backend made with {@code synchronizeEachOp =
 * false} only queues work; then the caller must call {@link #synchronize()} before touching any
 * segment of this backend on the host. The results are the same bit for bit.
 *
 * <p><b>Numbers.</b> The elementwise kernels compute ReferenceBackend's formulas with the same
 * roundings (no contraction into FMA), so they agree bit for bit except exp, log and tanh (a few
 * ulp apart). GEMM and the sums over more than 256 values add in another order than the
 * reference, as the CPU backend does too. Results repeat exactly from run to run.
 *
 * <p>Thread-safe: calls are serialised on one stream. After a CUDA failure (a faulting kernel,
 * a lost device) the backend refuses every further call with {@link CudaException}, so the caller
 * can switch to a CPU backend. {@link #close()} frees the device's resources; managed memory is
 * freed when the arenas of its segments close, even after the backend is closed.
 */
public final class CudaBackend implements Backend {

    /** Sums over at most this many values run in one chunk, in the reference's order. */
    static final int CHUNK = 256;

    /**
     * Counts since the backend was made.
     *
     * @param kernelLaunches kernels launched
     * @param gemms cuBLAS DGEMM calls
     * @param synchronizations stream synchronisations
     * @param stagedArguments arguments in foreign memory that were staged through pinned buffers
     */
    public record Stats(long kernelLaunches, long gemms, long synchronizations, long stagedArguments) {}

    private final CudaDevice device;
    private final boolean synchronizeEachOp;
    private final ReentrantLock lock = new ReentrantLock();
    /** Managed allocations: start address → length in bytes. */
    private final TreeMap<Long, Long> allocations = new TreeMap<>();
    private final Call call = new Call();
    private long managedBytes;
    private long scratch;
    private long scratchBytes;
    private boolean closed;
    private CudaException failure;
    private long kernelLaunches, gemms, synchronizations, stagedArguments;

    CudaBackend(CudaDevice device, boolean synchronizeEachOp) {
        this.device = device;
        // Without concurrent managed access, the host may not touch managed memory while any kernel runs.
        this.synchronizeEachOp = synchronizeEachOp || !device.info().concurrentManagedAccess();
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The device and libraries this backend runs on. */
    public CudaDeviceInfo deviceInfo() {
        return device.info();
    }

    /** Whether every call waits for its work (true) or only queues it (see {@link #synchronize()}). */
    public boolean synchronizesEachOp() {
        return synchronizeEachOp;
    }

    /** Bytes of managed memory this backend has handed out and that are not yet freed. */
    public long managedBytesHeld() {
        lock.lock();
        try {
            return managedBytes;
        } finally {
            lock.unlock();
        }
    }

    public Stats stats() {
        lock.lock();
        try {
            return new Stats(kernelLaunches, gemms, synchronizations, stagedArguments);
        } finally {
            lock.unlock();
        }
    }

    /** The failure that made this backend unusable, if one did. */
    public Optional<CudaException> failure() {
        lock.lock();
        try {
            return Optional.ofNullable(failure);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for all queued work. Needed before host access only when the backend does not synchronise each op. */
    public void synchronize() {
        lock.lock();
        try {
            checkUsable();
            device.makeCurrent();
            call.synchronizeNow();
        } catch (CudaException e) {
            if (failure == null) failure = e;
            throw e;
        } finally {
            lock.unlock();
        }
    }

    // ---- memory ----

    /** Zeroed managed memory for {@code elements} values, freed when {@code arena} closes. */
    @Override
    public MemorySegment allocate(Arena arena, long elements) {
        if (elements < 0) throw new IllegalArgumentException("elements must be >= 0, was " + elements);
        long bytes = Math.multiplyExact(elements, (long) Double.BYTES);
        long address;
        lock.lock();
        try {
            checkUsable();
            device.makeCurrent();
            address = device.allocateManaged(Math.max(bytes, Double.BYTES));
            allocations.put(address, bytes);
            managedBytes += bytes;
        } catch (CudaException e) {
            if (e.status() != CudaStatus.ERROR_OUT_OF_MEMORY && failure == null) failure = e;
            throw e;
        } finally {
            lock.unlock();
        }
        try {
            return MemorySegment.ofAddress(address).reinterpret(bytes, arena, segment -> release(address));
        } catch (RuntimeException e) {
            release(address);
            throw e;
        }
    }

    private void release(long address) {
        lock.lock();
        try {
            Long bytes = allocations.remove(address);
            if (bytes == null) return;
            managedBytes -= bytes;
            device.freeManaged(address);
        } finally {
            lock.unlock();
        }
    }

    // ---- matrix products (row-major through the operand swap: C = A·B is Cᵀ = Bᵀ·Aᵀ in cuBLAS's column-major) ----

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        gemm(false, false, m, n, k, a, b, c, accumulate);
    }

    @Override
    public void gemmTransA(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        gemm(true, false, m, n, k, a, b, c, accumulate);
    }

    @Override
    public void gemmTransB(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        gemm(false, true, m, n, k, a, b, c, accumulate);
    }

    @Override
    public void gemmBias(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        if (m <= 0 || n <= 0) return;
        run(call -> {
            long pc = queueGemm(call, false, false, m, n, k, a, b, c, false);
            long pBias = call.in(bias, n);
            call.launch(Kernel.ADD_ROW_VECTOR, (long) m * n, m, n, pc, pBias, pc);
        });
    }

    private void gemm(boolean transA, boolean transB, int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c,
                      boolean accumulate) {
        if (m <= 0 || n <= 0) return;
        run(call -> queueGemm(call, transA, transB, m, n, k, a, b, c, accumulate));
    }

    /**
     * Row-major C[m×n] = op(A)·op(B) (+ C). A row-major matrix is its transpose in column-major
     * order, so cuBLAS computes Cᵀ[n×m] = op(B)ᵀ·op(A)ᵀ with B first: plain B (k×n, row-major) is
     * a column-major n×k with leading dimension n; plain A (m×k) a column-major k×m with leading
     * dimension k. A stored k×m (for Aᵀ) is a column-major m×k, used transposed, leading dimension
     * m; B stored n×k (for Bᵀ) a column-major k×n, used transposed, leading dimension k.
     */
    private long queueGemm(Call call, boolean transA, boolean transB, int m, int n, int k, MemorySegment a, MemorySegment b,
                           MemorySegment c, boolean accumulate) {
        long pa = call.in(a, (long) m * k);
        long pb = call.in(b, (long) k * n);
        long pc = accumulate ? call.inOut(c, (long) m * n) : call.out(c, (long) m * n);
        if (k <= 0) {
            if (!accumulate) call.launch(Kernel.FILL, (long) m * n, (long) m * n, bits(0.0), pc);
            return pc;
        }
        int ldb = transB ? k : n;
        int lda = transA ? m : k;
        device.dgemm(transB, transA, n, m, k, 1.0, pb, ldb, pa, lda, accumulate ? 1.0 : 0.0, pc, n);
        gemms++;
        return pc;
    }

    // ---- elementwise ----

    @Override
    public void add(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        binary(Kernel.ADD, n, x, y, out);
    }

    @Override
    public void sub(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        binary(Kernel.SUB, n, x, y, out);
    }

    @Override
    public void mul(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        binary(Kernel.MUL, n, x, y, out);
    }

    @Override
    public void div(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        binary(Kernel.DIV, n, x, y, out);
    }

    @Override
    public void mulAdd(int n, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out) {
        if (n <= 0) return;
        run(call -> {
            long px = call.in(x, n), py = call.in(y, n), pz = call.in(z, n), po = call.out(out, n);
            call.launch(Kernel.MUL_ADD, n, n, px, py, pz, po);
        });
    }

    @Override
    public void scale(int n, double alpha, MemorySegment x, MemorySegment out) {
        withScalar(Kernel.SCALE, n, alpha, x, out);
    }

    @Override
    public void addScalar(int n, double alpha, MemorySegment x, MemorySegment out) {
        withScalar(Kernel.ADD_SCALAR, n, alpha, x, out);
    }

    @Override
    public void square(int n, MemorySegment x, MemorySegment out) {
        unary(Kernel.SQUARE, n, x, out);
    }

    @Override
    public void exp(int n, MemorySegment x, MemorySegment out) {
        unary(Kernel.EXP, n, x, out);
    }

    @Override
    public void log(int n, MemorySegment x, MemorySegment out) {
        unary(Kernel.LOG, n, x, out);
    }

    @Override
    public void tanh(int n, MemorySegment x, MemorySegment out) {
        unary(Kernel.TANH, n, x, out);
    }

    @Override
    public void tanhDerivative(int order, int n, MemorySegment tanhOfX, MemorySegment out) {
        unary(Kernel.tanhDerivative(order), n, tanhOfX, out);
    }

    @Override
    public void fill(int n, double value, MemorySegment out) {
        if (n <= 0) return;
        run(call -> call.launch(Kernel.FILL, n, n, bits(value), call.out(out, n)));
    }

    @Override
    public void copy(int n, MemorySegment x, MemorySegment out) {
        unary(Kernel.COPY, n, x, out);
    }

    private void unary(Kernel kernel, int n, MemorySegment x, MemorySegment out) {
        if (n <= 0) return;
        run(call -> {
            long px = call.in(x, n), po = call.out(out, n);
            call.launch(kernel, n, n, px, po);
        });
    }

    private void binary(Kernel kernel, int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        if (n <= 0) return;
        run(call -> {
            long px = call.in(x, n), py = call.in(y, n), po = call.out(out, n);
            call.launch(kernel, n, n, px, py, po);
        });
    }

    private void withScalar(Kernel kernel, int n, double alpha, MemorySegment x, MemorySegment out) {
        if (n <= 0) return;
        run(call -> {
            long px = call.in(x, n), po = call.out(out, n);
            call.launch(kernel, n, n, bits(alpha), px, po);
        });
    }

    // ---- jet rules (Backend.tanhJet and tanhJetBackward where the seam has them; no @Override, so
    //      this class also compiles against a seam without them) ----

    /**
     * tanh carried on a jet stacked as d + 2 blocks of n values (value, d tangents, second
     * derivative along the first direction), in one launch: ReferenceBackend's formulas and order.
     * {@code out} must not overlap {@code z}.
     */
    public void tanhJet(int n, int directions, MemorySegment z, MemorySegment out) {
        checkJet(n, directions);
        if (n == 0) return;
        long size = (long) (directions + 2) * n;
        run(call -> {
            long pz = call.in(z, size), po = call.out(out, size);
            call.launch(Kernel.TANH_JET, n, n, directions, pz, po);
        });
    }

    /** The vector-Jacobian product of {@link #tanhJet}, in one launch; {@code out} must not overlap the inputs. */
    public void tanhJetBackward(int n, int directions, MemorySegment z, MemorySegment y, MemorySegment g, MemorySegment out) {
        checkJet(n, directions);
        if (n == 0) return;
        long size = (long) (directions + 2) * n;
        run(call -> {
            long pz = call.in(z, size), py = call.in(y, n), pg = call.in(g, size), po = call.out(out, size);
            call.launch(Kernel.TANH_JET_BACKWARD, n, n, directions, pz, py, pg, po);
        });
    }

    private static void checkJet(int n, int directions) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, was " + n);
        if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
    }

    // ---- broadcasts and reductions ----

    @Override
    public void addRowVector(int rows, int cols, MemorySegment x, MemorySegment v, MemorySegment out) {
        if (rows <= 0 || cols <= 0) return;
        long size = (long) rows * cols;
        run(call -> {
            long px = call.in(x, size), pv = call.in(v, cols), po = call.out(out, size);
            call.launch(Kernel.ADD_ROW_VECTOR, size, rows, cols, px, pv, po);
        });
    }

    @Override
    public void columnSums(int rows, int cols, MemorySegment x, MemorySegment out) {
        if (cols <= 0) return;
        run(call -> {
            long po = call.out(out, cols);
            if (rows <= 0) {
                call.launch(Kernel.FILL, cols, cols, bits(0.0), po);
                return;
            }
            long px = call.in(x, (long) rows * cols);
            if (rows <= CHUNK) {
                call.launch(Kernel.COLUMN_SUMS, cols, rows, cols, rows, px, po);
                return;
            }
            long chunkRows = chunkLength(rows), chunks = ceilDiv(rows, chunkRows);
            long partial = scratch(chunks * cols * Double.BYTES);
            call.launch(Kernel.COLUMN_SUMS, chunks * cols, rows, cols, chunkRows, px, partial);
            call.launch(Kernel.COLUMN_SUMS, cols, chunks, cols, chunks, partial, po);
        });
    }

    @Override
    public void rowSums(int rows, int cols, MemorySegment x, MemorySegment out) {
        if (rows <= 0) return;
        run(call -> {
            long po = call.out(out, rows);
            if (cols <= 0) {
                call.launch(Kernel.FILL, rows, rows, bits(0.0), po);
                return;
            }
            long px = call.in(x, (long) rows * cols);
            if (cols <= CHUNK) {
                call.launch(Kernel.ROW_SUMS, rows, rows, cols, cols, px, po);
                return;
            }
            long chunkCols = chunkLength(cols), chunks = ceilDiv(cols, chunkCols);
            long partial = scratch((long) rows * chunks * Double.BYTES);
            call.launch(Kernel.ROW_SUMS, rows * chunks, rows, cols, chunkCols, px, partial);
            call.launch(Kernel.ROW_SUMS, rows, rows, chunks, chunks, partial, po);
        });
    }

    /** Chunks of about √length (at least {@link #CHUNK}): two passes then hold any length. */
    static long chunkLength(long length) {
        long root = (long) Math.ceil(Math.sqrt((double) length));
        return Math.max(CHUNK, root);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    // ---- optimiser ----

    @Override
    public void adam(int n, MemorySegment params, MemorySegment grads, MemorySegment firstMoment, MemorySegment secondMoment,
                     AdamConfig config, long step) {
        if (n <= 0) return;
        double correction1 = 1 - Math.pow(config.beta1(), step);
        double correction2 = 1 - Math.pow(config.beta2(), step);
        run(call -> {
            long pp = call.inOut(params, n), pg = call.in(grads, n), pm = call.inOut(firstMoment, n), pv = call.inOut(secondMoment, n);
            call.launch(Kernel.ADAM, n, n, pp, pg, pm, pv, bits(config.learningRate()), bits(config.beta1()), bits(config.beta2()),
                    bits(config.epsilon()), bits(correction1), bits(correction2));
        });
    }

    /** Frees the device's resources (managed memory goes when its arenas close). Closing twice is harmless. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            try {
                device.makeCurrent();
                device.synchronize();
            } catch (RuntimeException e) {
                // closing anyway
            }
            if (scratch != 0) {
                try {
                    device.freeDevice(scratch);
                } catch (RuntimeException e) {
                    // closing anyway
                }
                scratch = 0;
                scratchBytes = 0;
            }
            device.close();
        } finally {
            lock.unlock();
        }
    }

    // ---- the one path every op takes ----

    private interface Body {
        void run(Call call);
    }

    /** Runs {@code body} under the lock with the context current, then synchronises or copies back as needed. */
    private void run(Body body) {
        lock.lock();
        try {
            checkUsable();
            device.makeCurrent();
            body.run(call);
            call.finish();
        } catch (CudaException e) {
            if (failure == null) failure = e;
            throw e;
        } finally {
            call.release();
            lock.unlock();
        }
    }

    private void checkUsable() {
        if (closed) throw new IllegalStateException("this CUDA backend is closed");
        if (failure != null) throw new CudaException("the CUDA backend failed earlier and is unusable: " + failure.getMessage(), failure);
    }

    /** Device scratch of at least {@code bytes}, reused across calls (stream order keeps uses apart). */
    private long scratch(long bytes) {
        if (bytes > scratchBytes) {
            if (scratch != 0) {
                device.synchronize();
                device.freeDevice(scratch);
                scratch = 0;
            }
            long size = Math.max(bytes, 2 * scratchBytes);
            scratch = device.allocateDevice(size);
            scratchBytes = size;
        }
        return scratch;
    }

    static long bits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    /** One argument in foreign memory, staged for the length of a call. */
    private record Staged(MemorySegment host, long device, MemorySegment pinned, long bytes, boolean[] copyOut) {}

    /** The arguments of the call in progress: managed memory passes through; foreign memory is staged. */
    private final class Call {
        private final List<Staged> staged = new ArrayList<>(4);

        long in(MemorySegment s, long elements) {
            return resolve(s, elements, true, false);
        }

        long out(MemorySegment s, long elements) {
            return resolve(s, elements, false, true);
        }

        long inOut(MemorySegment s, long elements) {
            return resolve(s, elements, true, true);
        }

        void launch(Kernel kernel, long work, long... args) {
            if (work <= 0) return;
            device.launch(kernel, work, args);
            kernelLaunches++;
        }

        void synchronizeNow() {
            device.synchronize();
            synchronizations++;
        }

        private long resolve(MemorySegment s, long elements, boolean copyIn, boolean copyOut) {
            long bytes = elements * Double.BYTES;
            long address = s.address();
            Map.Entry<Long, Long> owner = allocations.floorEntry(address);
            if (owner != null && address < owner.getKey() + Math.max(owner.getValue(), 1)) {
                if (address + bytes > owner.getKey() + owner.getValue()) {
                    throw new IllegalArgumentException("a segment of this backend at offset " + (address - owner.getKey()) + " of a "
                            + owner.getValue() + "-byte allocation is too short for " + elements + " values");
                }
                return address;
            }
            if (s.byteSize() < bytes) {
                throw new IllegalArgumentException("a segment of " + s.byteSize() + " bytes is too short for " + elements + " values");
            }
            if (bytes == 0) return 0;
            for (Staged st : staged) {
                if (st.host().address() == address && st.bytes() >= bytes) {
                    st.copyOut()[0] |= copyOut;
                    return st.device();
                }
            }
            long devicePointer = device.allocateDevice(bytes);
            MemorySegment pinned;
            try {
                pinned = device.allocatePinned(bytes);
            } catch (RuntimeException e) {
                device.freeDevice(devicePointer);
                throw e;
            }
            staged.add(new Staged(s, devicePointer, pinned, bytes, new boolean[] {copyOut}));
            stagedArguments++;
            if (copyIn) {
                MemorySegment.copy(s, 0, pinned, 0, bytes);
                device.copyToDevice(devicePointer, pinned, bytes);
            }
            return devicePointer;
        }

        /** After the op was queued: copy staged results back, or wait if each op synchronises. */
        void finish() {
            if (staged.isEmpty()) {
                if (synchronizeEachOp) synchronizeNow();
                return;
            }
            for (Staged st : staged) if (st.copyOut()[0]) device.copyToHost(st.pinned(), st.device(), st.bytes());
            synchronizeNow();
            for (Staged st : staged) if (st.copyOut()[0]) MemorySegment.copy(st.pinned(), 0, st.host(), 0, st.bytes());
        }

        /** Frees staging buffers whatever happened. */
        void release() {
            if (staged.isEmpty()) return;
            if (failure == null) {
                try {
                    device.synchronize(); // a failed op may have left copies queued on the buffers
                } catch (RuntimeException e) {
                    // reported by the op already, or by the next one
                }
            }
            for (Staged st : staged) {
                try {
                    device.freeDevice(st.device());
                    device.freePinned(st.pinned());
                } catch (RuntimeException e) {
                    // the buffers are lost; nothing else is
                }
            }
            staged.clear();
        }
    }
}
