package pinn.kernels.cuda;

/**
 * A CUDA driver or cuBLAS call failed: which call, its status code, and the library's name for
 * it. After a failure inside a kernel or GEMM (e.g. {@code CUDA_ERROR_ILLEGAL_ADDRESS}) the
 * device context is unusable; {@link CudaBackend} then refuses every later call with the first
 * failure, so callers can fall back to a CPU backend.
 */
public final class CudaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String call;
    private final int status;

    public CudaException(String call, int status, String statusName) {
        super(call + " failed: " + statusName + " (" + status + ")");
        this.call = call;
        this.status = status;
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
        this.call = "";
        this.status = -1;
    }

    /** The library function that failed, e.g. {@code cuLaunchKernel(pinn_add)}; empty if none. */
    public String call() {
        return call;
    }

    /** The CUresult or cublasStatus_t it returned; −1 when the failure was not a status code. */
    public int status() {
        return status;
    }
}
