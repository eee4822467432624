package pinn.kernels.cuda;

/**
 * What the probe found: the device and the libraries the backend runs on.
 *
 * @param name the device's name, e.g. "NVIDIA H200"
 * @param ordinal its CUDA ordinal
 * @param computeMajor compute capability, major (9 for Hopper)
 * @param computeMinor compute capability, minor
 * @param multiprocessors streaming multiprocessors
 * @param totalMemoryBytes device memory, bytes
 * @param concurrentManagedAccess whether host and device may touch managed memory at the same time
 * @param driverVersion the driver's CUDA version, e.g. 13000 for 13.0
 * @param driverLibrary the driver library loaded
 * @param cublasLibrary the cuBLAS library loaded
 * @param cublasVersion cuBLAS's version, e.g. 130100
 */
public record CudaDeviceInfo(String name, int ordinal, int computeMajor, int computeMinor, int multiprocessors,
                             long totalMemoryBytes, boolean concurrentManagedAccess, int driverVersion,
                             String driverLibrary, String cublasLibrary, int cublasVersion) {

    /** One line for logs: device, capability, memory, driver and cuBLAS. */
    public String describe() {
        return String.format("%s (device %d, sm_%d%d, %d SMs, %.1f GiB, managed memory%s), driver CUDA %d.%d (%s), cuBLAS %d (%s)",
                name, ordinal, computeMajor, computeMinor, multiprocessors, totalMemoryBytes / (double) (1L << 30),
                concurrentManagedAccess ? " with concurrent access" : "", driverVersion / 1000, driverVersion % 1000 / 10,
                driverLibrary, cublasVersion, cublasLibrary);
    }
}
