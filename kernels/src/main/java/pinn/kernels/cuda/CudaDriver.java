package pinn.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The part of the CUDA driver API (libcuda.so.1) that the backend uses, bound through Panama FFM
 * downcalls. The symbols are the ones cuda.h maps its names to (e.g. {@code cuMemAlloc} →
 * {@code cuMemAlloc_v2}), all exported by CUDA 12 and CUDA 13 drivers alike; the C ABI of this
 * subset did not change between them. Not thread-safe by itself: {@link CudaDevice} serialises.
 *
 * <p>Every wrapper returns the value and throws {@link CudaException} for a status other than
 * CUDA_SUCCESS, except {@link #init}, {@link #launch} and {@link #synchronize}, which return the
 * status so that callers can map or defer it.
 */
final class CudaDriver {

    static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY = 83;
    static final int CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS = 89;
    static final int CU_MEM_ATTACH_GLOBAL = 1;
    static final int CU_STREAM_NON_BLOCKING = 1;
    static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    /** The functions bound, with their C signatures (CUresult is int; CUdeviceptr and size_t are 64-bit). */
    static final Map<String, FunctionDescriptor> FUNCTIONS = functions();

    private static Map<String, FunctionDescriptor> functions() {
        Map<String, FunctionDescriptor> f = new LinkedHashMap<>();
        f.put("cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));                                  // (unsigned Flags)
        f.put("cuDriverGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));                       // (int *)
        f.put("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));                  // (CUresult, const char **)
        f.put("cuDeviceGetCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));                         // (int *)
        f.put("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));                     // (CUdevice *, int ordinal)
        f.put("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));       // (char *, int len, CUdevice)
        f.put("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));  // (int *, CUdevice_attribute, CUdevice)
        f.put("cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));             // (size_t *, CUdevice)
        f.put("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));        // (CUcontext *, CUdevice)
        f.put("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));             // (CUdevice)
        f.put("cuCtxSetCurrent", FunctionDescriptor.of(JAVA_INT, ADDRESS));                          // (CUcontext)
        f.put("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));                  // (CUstream *, unsigned Flags)
        f.put("cuStreamSynchronize", FunctionDescriptor.of(JAVA_INT, ADDRESS));                      // (CUstream)
        f.put("cuStreamDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));                       // (CUstream)
        // (CUmodule *, const void *image, unsigned numOptions, CUjit_option *options, void **optionValues)
        f.put("cuModuleLoadDataEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        f.put("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));     // (CUfunction *, CUmodule, const char *)
        f.put("cuModuleUnload", FunctionDescriptor.of(JAVA_INT, ADDRESS));                           // (CUmodule)
        f.put("cuMemGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));                 // (size_t *free, size_t *total)
        f.put("cuMemAllocManaged", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));    // (CUdeviceptr *, size_t, unsigned flags)
        f.put("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                 // (CUdeviceptr *, size_t)
        f.put("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));                           // (CUdeviceptr)
        f.put("cuMemHostAlloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));       // (void **, size_t, unsigned Flags)
        f.put("cuMemFreeHost", FunctionDescriptor.of(JAVA_INT, ADDRESS));                            // (void *)
        // (CUdeviceptr dst, unsigned int value, size_t N, CUstream)
        f.put("cuMemsetD32Async", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
        // (CUdeviceptr dst, const void *src, size_t bytes, CUstream) and (void *dst, CUdeviceptr src, size_t bytes, CUstream)
        f.put("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        f.put("cuMemcpyDtoHAsync_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        // (CUfunction, gridDimX, Y, Z, blockDimX, Y, Z, sharedMemBytes, CUstream, void **kernelParams, void **extra)
        f.put("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        return java.util.Collections.unmodifiableMap(f);
    }

    private final String library;
    private final MethodHandle cuInit, cuDriverGetVersion, cuGetErrorName, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName,
            cuDeviceGetAttribute, cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent,
            cuStreamCreate, cuStreamSynchronize, cuStreamDestroy, cuModuleLoadDataEx, cuModuleGetFunction, cuModuleUnload,
            cuMemGetInfo, cuMemAllocManaged, cuMemAlloc, cuMemFree, cuMemHostAlloc, cuMemFreeHost, cuMemsetD32Async,
            cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuLaunchKernel;

    /**
     * Binds every function of {@link #FUNCTIONS} in {@code lookup}.
     *
     * @throws NativeBinding.MissingSymbolException if one is missing (a driver older than CUDA 12)
     */
    CudaDriver(SymbolLookup lookup, String library) {
        this.library = library;
        Map<String, MethodHandle> h = NativeBinding.bindAll(lookup, library, FUNCTIONS);
        cuInit = h.get("cuInit");
        cuDriverGetVersion = h.get("cuDriverGetVersion");
        cuGetErrorName = h.get("cuGetErrorName");
        cuDeviceGetCount = h.get("cuDeviceGetCount");
        cuDeviceGet = h.get("cuDeviceGet");
        cuDeviceGetName = h.get("cuDeviceGetName");
        cuDeviceGetAttribute = h.get("cuDeviceGetAttribute");
        cuDeviceTotalMem = h.get("cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = h.get("cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = h.get("cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = h.get("cuCtxSetCurrent");
        cuStreamCreate = h.get("cuStreamCreate");
        cuStreamSynchronize = h.get("cuStreamSynchronize");
        cuStreamDestroy = h.get("cuStreamDestroy_v2");
        cuModuleLoadDataEx = h.get("cuModuleLoadDataEx");
        cuModuleGetFunction = h.get("cuModuleGetFunction");
        cuModuleUnload = h.get("cuModuleUnload");
        cuMemGetInfo = h.get("cuMemGetInfo_v2");
        cuMemAllocManaged = h.get("cuMemAllocManaged");
        cuMemAlloc = h.get("cuMemAlloc_v2");
        cuMemFree = h.get("cuMemFree_v2");
        cuMemHostAlloc = h.get("cuMemHostAlloc");
        cuMemFreeHost = h.get("cuMemFreeHost");
        cuMemsetD32Async = h.get("cuMemsetD32Async");
        cuMemcpyHtoDAsync = h.get("cuMemcpyHtoDAsync_v2");
        cuMemcpyDtoHAsync = h.get("cuMemcpyDtoHAsync_v2");
        cuLaunchKernel = h.get("cuLaunchKernel");
    }

    /** Where the library came from, for messages. */
    String library() {
        return library;
    }

    /** The driver's name for {@code status} (cuGetErrorName), or ours if it does not know it. */
    String errorName(int status) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int result = (int) cuGetErrorName.invokeExact(status, out);
            MemorySegment name = out.get(ADDRESS, 0);
            if (result != CudaStatus.SUCCESS || name.address() == 0) return CudaStatus.driverName(status);
            return name.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return CudaStatus.driverName(status);
        }
    }

    private void check(int status, String call) {
        if (status != CudaStatus.SUCCESS) throw new CudaException(call, status, errorName(status));
    }

    /** cuInit(0): the status, unmapped (the probe tells a stub library or a missing device from it). */
    int init() {
        try {
            return (int) cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuInit", t);
        }
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    int driverVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) cuDriverGetVersion.invokeExact(out), "cuDriverGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDriverGetVersion", t);
        }
    }

    int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) cuDeviceGetCount.invokeExact(out), "cuDeviceGetCount");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDeviceGetCount", t);
        }
    }

    /** The CUdevice handle of the device at {@code ordinal}. */
    int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) cuDeviceGet.invokeExact(out, ordinal), "cuDeviceGet");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDeviceGet", t);
        }
    }

    String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(256);
            check((int) cuDeviceGetName.invokeExact(out, 256, device), "cuDeviceGetName");
            return out.getString(0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDeviceGetName", t);
        }
    }

    int attribute(int device, int attribute) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) cuDeviceGetAttribute.invokeExact(out, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDeviceGetAttribute", t);
        }
    }

    long totalMemory(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) cuDeviceTotalMem.invokeExact(out, device), "cuDeviceTotalMem");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDeviceTotalMem", t);
        }
    }

    /** Retains the device's primary context (the one the CUDA runtime, hence cuBLAS, uses too). */
    MemorySegment retainPrimaryContext(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) cuDevicePrimaryCtxRetain.invokeExact(out, device), "cuDevicePrimaryCtxRetain");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDevicePrimaryCtxRetain", t);
        }
    }

    void releasePrimaryContext(int device) {
        try {
            check((int) cuDevicePrimaryCtxRelease.invokeExact(device), "cuDevicePrimaryCtxRelease");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuDevicePrimaryCtxRelease", t);
        }
    }

    /** Makes {@code context} current on the calling thread (cheap: a thread-local store in the driver). */
    void setCurrent(MemorySegment context) {
        try {
            check((int) cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuCtxSetCurrent", t);
        }
    }

    MemorySegment createStream() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) cuStreamCreate.invokeExact(out, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuStreamCreate", t);
        }
    }

    /** Waits for the stream; returns the status (a kernel's fault surfaces here). */
    int synchronize(MemorySegment stream) {
        try {
            return (int) cuStreamSynchronize.invokeExact(stream);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuStreamSynchronize", t);
        }
    }

    void destroyStream(MemorySegment stream) {
        try {
            check((int) cuStreamDestroy.invokeExact(stream), "cuStreamDestroy");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuStreamDestroy", t);
        }
    }

    /** A module that failed to load: the status and the JIT compiler's error log. */
    record ModuleLoadFailure(int status, String statusName, String log) {}

    /**
     * Loads a PTX (or cubin/fatbin) image; the JIT error log comes back in the failure.
     *
     * @return the CUmodule, or null with {@code failure[0]} set
     */
    MemorySegment loadModule(byte[] image, ModuleLoadFailure[] failure) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, image.length);
            int logBytes = 8192;
            MemorySegment log = arena.allocate(logBytes);
            MemorySegment options = arena.allocate(JAVA_INT, 2);
            options.setAtIndex(JAVA_INT, 0, CU_JIT_ERROR_LOG_BUFFER);
            options.setAtIndex(JAVA_INT, 1, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            MemorySegment values = arena.allocate(ADDRESS, 2);
            values.setAtIndex(ADDRESS, 0, log);
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(logBytes)); // a value passed as void *, as cuda.h says
            MemorySegment out = arena.allocate(ADDRESS);
            int status = (int) cuModuleLoadDataEx.invokeExact(out, data, 2, options, values);
            if (status != CudaStatus.SUCCESS) {
                failure[0] = new ModuleLoadFailure(status, errorName(status), log.getString(0).strip());
                return null;
            }
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuModuleLoadDataEx", t);
        }
    }

    /** The kernel {@code name} in {@code module}; CUDA_ERROR_NOT_FOUND if the module lacks it. */
    MemorySegment function(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) cuModuleGetFunction.invokeExact(out, module, arena.allocateFrom(name)), "cuModuleGetFunction(" + name + ")");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuModuleGetFunction", t);
        }
    }

    void unloadModule(MemorySegment module) {
        try {
            check((int) cuModuleUnload.invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuModuleUnload", t);
        }
    }

    /** {free, total} device memory in bytes. */
    long[] memoryInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG), total = arena.allocate(JAVA_LONG);
            check((int) cuMemGetInfo.invokeExact(free, total), "cuMemGetInfo");
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemGetInfo", t);
        }
    }

    /** Managed memory: one address valid on the host and on every device (CU_MEM_ATTACH_GLOBAL). */
    long allocateManaged(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) cuMemAllocManaged.invokeExact(out, bytes, CU_MEM_ATTACH_GLOBAL), "cuMemAllocManaged(" + bytes + " bytes)");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemAllocManaged", t);
        }
    }

    /** Device memory. */
    long allocate(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            check((int) cuMemAlloc.invokeExact(out, bytes), "cuMemAlloc(" + bytes + " bytes)");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemAlloc", t);
        }
    }

    /** Frees managed or device memory; returns the status (freeing runs in cleanups, which must not throw). */
    int free(long pointer) {
        try {
            return (int) cuMemFree.invokeExact(pointer);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemFree", t);
        }
    }

    /** Page-locked host memory, {@code bytes} long, as a segment. */
    MemorySegment allocatePinned(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            check((int) cuMemHostAlloc.invokeExact(out, bytes, 0), "cuMemHostAlloc(" + bytes + " bytes)");
            return out.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemHostAlloc", t);
        }
    }

    int freePinned(MemorySegment pinned) {
        try {
            return (int) cuMemFreeHost.invokeExact(pinned);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemFreeHost", t);
        }
    }

    /** Sets {@code words} 32-bit words from {@code pointer} to {@code value}, on {@code stream}. */
    void memset32(long pointer, int value, long words, MemorySegment stream) {
        try {
            check((int) cuMemsetD32Async.invokeExact(pointer, value, words, stream), "cuMemsetD32Async");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemsetD32Async", t);
        }
    }

    void copyToDevice(long device, MemorySegment host, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyHtoDAsync.invokeExact(device, host, bytes, stream), "cuMemcpyHtoDAsync");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemcpyHtoDAsync", t);
        }
    }

    void copyToHost(MemorySegment host, long device, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoHAsync.invokeExact(host, device, bytes, stream), "cuMemcpyDtoHAsync");
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuMemcpyDtoHAsync", t);
        }
    }

    /** Launches a 1-D grid; returns the status (launch errors are reported, faults come at synchronize). */
    int launch(MemorySegment function, int gridX, int blockX, MemorySegment stream, MemorySegment kernelParams) {
        try {
            return (int) cuLaunchKernel.invokeExact(function, gridX, 1, 1, blockX, 1, 1, 0, stream, kernelParams, MemorySegment.NULL);
        } catch (Throwable t) {
            throw NativeBinding.unexpected("cuLaunchKernel", t);
        }
    }
}
