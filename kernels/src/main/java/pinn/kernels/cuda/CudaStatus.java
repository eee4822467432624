package pinn.kernels.cuda;

import java.util.Map;

/**
 * Names of the CUresult and cublasStatus_t codes this package handles (from cuda.h and
 * cublas_api.h), for messages even when the driver cannot be asked ({@code cuGetErrorName}).
 */
final class CudaStatus {

    private CudaStatus() {}

    static final int SUCCESS = 0;
    static final int ERROR_INVALID_VALUE = 1;
    static final int ERROR_OUT_OF_MEMORY = 2;
    static final int ERROR_NOT_INITIALIZED = 3;
    static final int ERROR_STUB_LIBRARY = 34;
    static final int ERROR_INSUFFICIENT_DRIVER = 35;
    static final int ERROR_DEVICE_UNAVAILABLE = 46;
    static final int ERROR_NO_DEVICE = 100;
    static final int ERROR_INVALID_DEVICE = 101;
    static final int ERROR_INVALID_IMAGE = 200;
    static final int ERROR_INVALID_CONTEXT = 201;
    static final int ERROR_NO_BINARY_FOR_GPU = 209;
    static final int ERROR_INVALID_PTX = 218;
    static final int ERROR_JIT_COMPILER_NOT_FOUND = 221;
    static final int ERROR_UNSUPPORTED_PTX_VERSION = 222;
    static final int ERROR_JIT_COMPILATION_DISABLED = 223;
    static final int ERROR_INVALID_HANDLE = 400;
    static final int ERROR_NOT_FOUND = 500;
    static final int ERROR_ILLEGAL_ADDRESS = 700;
    static final int ERROR_LAUNCH_FAILED = 719;
    static final int ERROR_NOT_SUPPORTED = 801;
    static final int ERROR_SYSTEM_DRIVER_MISMATCH = 803;
    static final int ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804;
    static final int ERROR_UNKNOWN = 999;

    static final int CUBLAS_STATUS_SUCCESS = 0;
    static final int CUBLAS_STATUS_NOT_INITIALIZED = 1;
    static final int CUBLAS_STATUS_ALLOC_FAILED = 3;
    static final int CUBLAS_STATUS_INVALID_VALUE = 7;
    static final int CUBLAS_STATUS_ARCH_MISMATCH = 8;
    static final int CUBLAS_STATUS_EXECUTION_FAILED = 13;
    static final int CUBLAS_STATUS_INTERNAL_ERROR = 14;
    static final int CUBLAS_STATUS_NOT_SUPPORTED = 15;

    private static final Map<Integer, String> DRIVER = Map.ofEntries(
            Map.entry(SUCCESS, "CUDA_SUCCESS"),
            Map.entry(ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"),
            Map.entry(ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"),
            Map.entry(ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED"),
            Map.entry(ERROR_STUB_LIBRARY, "CUDA_ERROR_STUB_LIBRARY"),
            Map.entry(ERROR_INSUFFICIENT_DRIVER, "CUDA_ERROR_INSUFFICIENT_DRIVER"),
            Map.entry(ERROR_DEVICE_UNAVAILABLE, "CUDA_ERROR_DEVICE_UNAVAILABLE"),
            Map.entry(ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE"),
            Map.entry(ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE"),
            Map.entry(ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"),
            Map.entry(ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT"),
            Map.entry(ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
            Map.entry(ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX"),
            Map.entry(ERROR_JIT_COMPILER_NOT_FOUND, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"),
            Map.entry(ERROR_UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"),
            Map.entry(ERROR_JIT_COMPILATION_DISABLED, "CUDA_ERROR_JIT_COMPILATION_DISABLED"),
            Map.entry(ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE"),
            Map.entry(ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND"),
            Map.entry(ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS"),
            Map.entry(ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED"),
            Map.entry(ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED"),
            Map.entry(ERROR_SYSTEM_DRIVER_MISMATCH, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"),
            Map.entry(ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"),
            Map.entry(ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN"));

    private static final Map<Integer, String> CUBLAS = Map.of(
            CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS",
            CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED",
            CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED",
            CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE",
            CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH",
            CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED",
            CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR",
            CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED");

    /** The CUresult's name, e.g. CUDA_ERROR_NO_DEVICE, or CUresult N for one not listed here. */
    static String driverName(int status) {
        return DRIVER.getOrDefault(status, "CUresult " + status);
    }

    /** The cublasStatus_t's name, or cublasStatus_t N. */
    static String cublasName(int status) {
        return CUBLAS.getOrDefault(status, "cublasStatus_t " + status);
    }
}
