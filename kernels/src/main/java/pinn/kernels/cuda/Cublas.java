package pinn.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The four cuBLAS functions the backend needs, bound through Panama FFM to whichever
 * {@code libcublas.so.N} is present ({@link CudaLibraries}). The C API of these functions is the
 * same in cuBLAS 12 and 13; only the library's file name and symbol versions differ, which is why
 * JCublas 12.6 (bound to versioned libcublas.so.12 symbols) cannot run on a CUDA 13 machine and
 * this binding can. Column-major, as cuBLAS is; {@link CudaBackend} does the row-major swap.
 */
final class Cublas {

    static final int CUBLAS_OP_N = 0;
    static final int CUBLAS_OP_T = 1;

    /** The functions bound, with their C signatures (cublasStatus_t and cublasOperation_t are int). */
    static final Map<String, FunctionDescriptor> FUNCTIONS = functions();

    private static Map<String, FunctionDescriptor> functions() {
        Map<String, FunctionDescriptor> f = new LinkedHashMap<>();
        f.put("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));              // (cublasHandle_t *)
        f.put("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));             // (cublasHandle_t)
        f.put("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));  // (cublasHandle_t, cudaStream_t)
        f.put("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)); // (cublasHandle_t, int *)
        // (handle, transa, transb, m, n, k, const double *alpha, const double *A, lda, const double *B, ldb,
        //  const double *beta, double *C, ldc)
        f.put("cublasDgemm_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        return java.util.Collections.unmodifiableMap(f);
    }

    private final String library;
    private final MethodHandle create, destroy, setStream, getVersion, dgemm;

    /** @throws NativeBinding.MissingSymbolException if a function is missing */
    Cublas(SymbolLookup lookup, String library) {
        this.library = library;
        Map<String, MethodHandle> h = NativeBinding.bindAll(lookup, library, FUNCTIONS);
        create = h.get("cublasCreate_v2");
        destroy = h.get("cublasDestroy_v2");
        setStream = h.get("cublasSetStream_v2");
        getVersion = h.get("cublasGetVersion_v2");
        dgemm = h.get("cublasDgemm_v2");
    }

    String library() {
        return library;
    }

    private static void check(int status, String call) {
        if (status != CudaStatus.CUBLAS_STATUS_SUCCESS) throw new CudaException(call, status, CudaStatus.cublasName(status));
    }

    /** A handle bound to the current context's device. */
    MemorySegment create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) create.invokeExact(out), "cublasCreate");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cublasCreate", t);
        }
    }

    void destroy(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), "cublasDestroy");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cublasDestroy", t);
        }
    }

    void setStream(MemorySegment handle, MemorySegment stream) {
        try {
            check((int) setStream.invokeExact(handle, stream), "cublasSetStream");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cublasSetStream", t);
        }
    }

    /** The library's version, e.g. 130100 for 13.1.0. */
    int version(MemorySegment handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) getVersion.invokeExact(handle, out), "cublasGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cublasGetVersion", t);
        }
    }

    /**
     * C = alpha · op(A) · op(B) + beta · C, column-major, device pointers; {@code scalars} holds
     * alpha at index 0 and beta at index 1 (host memory: cuBLAS's default pointer mode reads it
     * during the call). With beta = 0, C is not read. Asynchronous on the handle's stream.
     */
    void dgemm(MemorySegment handle, int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb,
               long c, int ldc, MemorySegment scalars) {
        try {
            int status = (int) dgemm.invokeExact(handle, transA, transB, m, n, k, scalars,
                    MemorySegment.ofAddress(a), lda, MemorySegment.ofAddress(b), ldb,
                    scalars.asSlice(JAVA_DOUBLE.byteSize()), MemorySegment.ofAddress(c), ldc);
            check(status, "cublasDgemm");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cublasDgemm", t);
        }
    }
}
