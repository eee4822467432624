package pinn.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import pinn.kernels.cuda.CudaProbe.Reason;

/**
 * One CUDA device opened for the backend: its primary context (shared with the CUDA runtime
 * inside cuBLAS), one non-blocking stream that every kernel, copy and GEMM is queued on, the PTX
 * modules with their kernels, and a cuBLAS handle on that stream.
 *
 * <p>Not thread-safe: {@link CudaBackend} calls it under its lock. Every call that may run on a
 * new thread makes the context current first ({@link #makeCurrent()}).
 */
final class CudaDevice {

    /** Threads per block of every launch. */
    static final int BLOCK = 256;
    /** The most blocks a launch uses; the kernels' grid-stride loops cover the rest. */
    static final int MAX_BLOCKS = 16_384;
    private static final int MAX_PARAMS = 16;

    /** Why the device could not be opened; becomes the probe's outcome. */
    static final class OpenFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final Reason reason;

        OpenFailure(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final CudaDriver driver;
    private final int device;
    private final MemorySegment context;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment kernelParams;
    private final MemorySegment kernelValues;
    private final MemorySegment gemmScalars;
    private MemorySegment stream = MemorySegment.NULL;
    private Cublas cublas;
    private MemorySegment cublasHandle = MemorySegment.NULL;
    private final List<MemorySegment> modules = new ArrayList<>();
    private final Map<Kernel, MemorySegment> functions = new EnumMap<>(Kernel.class);
    private CudaDeviceInfo info;
    private long liveManaged;
    private boolean closing;
    private boolean contextReleased;

    private CudaDevice(CudaDriver driver, int device, MemorySegment context) {
        this.driver = driver;
        this.device = device;
        this.context = context;
        kernelParams = arena.allocate(ADDRESS, MAX_PARAMS);
        kernelValues = arena.allocate(JAVA_LONG, MAX_PARAMS);
        for (int i = 0; i < MAX_PARAMS; i++) kernelParams.setAtIndex(ADDRESS, i, kernelValues.asSlice(i * 8L, 8));
        gemmScalars = arena.allocate(JAVA_DOUBLE, 2);
    }

    /**
     * Opens device {@code ordinal}: driver, device, context, stream, cuBLAS, modules, in that
     * order, each failure mapped to the probe's reason. Nothing stays allocated on failure.
     */
    static CudaDevice open(CudaLibraries libraries, int ordinal) throws OpenFailure {
        CudaLibraries.Located driverLibrary = libraries.driver();
        if (!driverLibrary.isFound()) throw new OpenFailure(Reason.NO_DRIVER, driverLibrary.name());
        CudaDriver driver;
        try {
            driver = new CudaDriver(driverLibrary.symbols(), driverLibrary.name());
        } catch (NativeBinding.MissingSymbolException e) {
            throw new OpenFailure(Reason.NO_DRIVER, e.getMessage() + " (a driver older than CUDA 12?)");
        }
        int init = driver.init();
        switch (init) {
            case CudaStatus.SUCCESS -> { }
            case CudaStatus.ERROR_STUB_LIBRARY -> throw new OpenFailure(Reason.NO_DRIVER, driverLibrary.name()
                    + " is the CUDA toolkit's stub, not a driver (cuInit: CUDA_ERROR_STUB_LIBRARY): no NVIDIA driver is installed");
            case CudaStatus.ERROR_NO_DEVICE -> throw new OpenFailure(Reason.NO_DEVICE,
                    "cuInit: CUDA_ERROR_NO_DEVICE: the driver sees no CUDA device (none installed, or hidden by CUDA_VISIBLE_DEVICES)");
            default -> throw new OpenFailure(Reason.DRIVER_INIT_FAILED, "cuInit: " + driver.errorName(init) + " (" + init + ")"
                    + (init == CudaStatus.ERROR_INSUFFICIENT_DRIVER || init == CudaStatus.ERROR_SYSTEM_DRIVER_MISMATCH
                       ? ": the kernel module and the user-space driver library do not match" : ""));
        }
        int handle;
        String name;
        int major, minor, sms, managed, concurrent, driverVersion;
        long memory;
        try {
            driverVersion = driver.driverVersion();
            int count = driver.deviceCount();
            if (count == 0) throw new OpenFailure(Reason.NO_DEVICE, "the driver reports no CUDA device");
            if (ordinal < 0 || ordinal >= count) {
                throw new OpenFailure(Reason.NO_DEVICE, "device " + ordinal + " was asked for (pinn.cuda.device) but the driver reports " + count);
            }
            handle = driver.device(ordinal);
            name = driver.deviceName(handle);
            major = driver.attribute(handle, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            minor = driver.attribute(handle, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            sms = driver.attribute(handle, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            managed = driver.attribute(handle, CudaDriver.CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY);
            concurrent = driver.attribute(handle, CudaDriver.CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS);
            memory = driver.totalMemory(handle);
        } catch (CudaException e) {
            throw new OpenFailure(Reason.DRIVER_INIT_FAILED, e.getMessage());
        }
        if (managed == 0) {
            throw new OpenFailure(Reason.NO_MANAGED_MEMORY, name + " cannot allocate managed memory, which the backend's tensors live in");
        }
        MemorySegment context;
        try {
            context = driver.retainPrimaryContext(handle);
        } catch (CudaException e) {
            throw new OpenFailure(Reason.DEVICE_UNAVAILABLE, name + ": " + e.getMessage() + " (busy, in exclusive use, or out of memory?)");
        }
        CudaDevice opened = new CudaDevice(driver, handle, context);
        try {
            opened.start(libraries, new CudaDeviceInfo(name, ordinal, major, minor, sms, memory, concurrent != 0, driverVersion,
                    driverLibrary.name(), "", 0));
            return opened;
        } catch (OpenFailure | RuntimeException e) {
            opened.closeQuietly();
            throw e;
        }
    }

    private void start(CudaLibraries libraries, CudaDeviceInfo partial) throws OpenFailure {
        try {
            driver.setCurrent(context);
            stream = driver.createStream();
        } catch (CudaException e) {
            throw new OpenFailure(Reason.DEVICE_UNAVAILABLE, partial.name() + ": " + e.getMessage());
        }
        CudaLibraries.Located cublasLibrary = libraries.cublas();
        if (!cublasLibrary.isFound()) throw new OpenFailure(Reason.CUBLAS_MISSING, cublasLibrary.name());
        try {
            cublas = new Cublas(cublasLibrary.symbols(), cublasLibrary.name());
        } catch (NativeBinding.MissingSymbolException e) {
            throw new OpenFailure(Reason.CUBLAS_MISSING, e.getMessage());
        }
        int cublasVersion;
        try {
            cublasHandle = cublas.create();
            cublas.setStream(cublasHandle, stream);
            cublasVersion = cublas.version(cublasHandle);
        } catch (CudaException e) {
            throw new OpenFailure(Reason.CUBLAS_FAILED, cublasLibrary.name() + ": " + e.getMessage());
        }
        info = new CudaDeviceInfo(partial.name(), partial.ordinal(), partial.computeMajor(), partial.computeMinor(),
                partial.multiprocessors(), partial.totalMemoryBytes(), partial.concurrentManagedAccess(), partial.driverVersion(),
                partial.driverLibrary(), cublasLibrary.name(), cublasVersion);
        for (String name : Kernel.MODULES) loadModule(name);
    }

    private void loadModule(String name) throws OpenFailure {
        PtxModule ptx;
        try {
            ptx = PtxModule.load(name);
        } catch (IllegalStateException e) {
            throw new OpenFailure(Reason.MODULE_LOAD_FAILED, e.getMessage());
        }
        CudaDriver.ModuleLoadFailure[] failure = new CudaDriver.ModuleLoadFailure[1];
        MemorySegment module = driver.loadModule(ptx.text().getBytes(java.nio.charset.StandardCharsets.UTF_8), failure);
        if (module == null) {
            CudaDriver.ModuleLoadFailure f = failure[0];
            throw new OpenFailure(Reason.MODULE_LOAD_FAILED, name + ".ptx (PTX ISA " + ptx.isaVersion() + ", " + ptx.target()
                    + ") refused by the driver (CUDA " + info.driverVersion() / 1000 + "." + info.driverVersion() % 1000 / 10 + ") for "
                    + info.name() + ": " + f.statusName() + " (" + f.status() + ")" + (f.log().isEmpty() ? "" : ": " + f.log()));
        }
        modules.add(module);
        for (Kernel k : Kernel.values()) {
            if (!k.module.equals(name)) continue;
            try {
                functions.put(k, driver.function(module, k.entry));
            } catch (CudaException e) {
                throw new OpenFailure(Reason.MODULE_LOAD_FAILED, name + ".ptx lacks kernel " + k.entry + " (" + e.getMessage()
                        + "): the committed PTX is older than the backend; run native/build-ptx.sh");
            }
        }
    }

    CudaDeviceInfo info() {
        return info;
    }

    /** Makes this device's context current on the calling thread. */
    void makeCurrent() {
        driver.setCurrent(context);
    }

    /**
     * Queues kernel {@code k} over an index space of {@code work} items with {@code args} (doubles
     * as their raw bits), on a 1-D grid of ⌈work/256⌉ blocks, at most {@link #MAX_BLOCKS}.
     */
    void launch(Kernel k, long work, long... args) {
        if (args.length != k.params.size()) {
            throw new IllegalArgumentException(k.entry + " takes " + k.params.size() + " arguments, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) kernelValues.setAtIndex(JAVA_LONG, i, args[i]);
        int blocks = (int) Math.min(MAX_BLOCKS, Math.max(1, (work + BLOCK - 1) / BLOCK));
        int status = driver.launch(functions.get(k), blocks, BLOCK, stream, kernelParams);
        if (status != CudaStatus.SUCCESS) throw new CudaException("cuLaunchKernel(" + k.entry + ")", status, driver.errorName(status));
    }

    /** Column-major C = alpha · op(A) · op(B) + beta · C through cuBLAS, queued on the stream. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, long a, int lda, long b, int ldb,
               double beta, long c, int ldc) {
        gemmScalars.setAtIndex(JAVA_DOUBLE, 0, alpha);
        gemmScalars.setAtIndex(JAVA_DOUBLE, 1, beta);
        cublas.dgemm(cublasHandle, transA ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N, transB ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                m, n, k, a, lda, b, ldb, c, ldc, gemmScalars);
    }

    /** Waits for everything queued; a fault of a kernel or GEMM surfaces here. */
    void synchronize() {
        int status = driver.synchronize(stream);
        if (status != CudaStatus.SUCCESS) throw new CudaException("cuStreamSynchronize", status, driver.errorName(status));
    }

    /** Zeroed managed memory of {@code bytes} (a multiple of 8), ready when this returns. */
    long allocateManaged(long bytes) {
        long pointer = driver.allocateManaged(bytes);
        liveManaged++;
        try {
            driver.memset32(pointer, 0, (bytes + 3) / 4, stream);
            synchronize();
        } catch (RuntimeException e) {
            freeManaged(pointer);
            throw e;
        }
        return pointer;
    }

    /** Frees managed memory; after {@link #close()}, the last one also releases the context. Never throws. */
    void freeManaged(long pointer) {
        try {
            if (!contextReleased) {
                makeCurrent();
                driver.synchronize(stream.address() == 0 ? MemorySegment.NULL : stream); // no kernel may still use it
                driver.free(pointer);
            }
        } catch (RuntimeException e) {
            // a cleanup must not throw; the memory is lost to this process, nothing worse
        } finally {
            liveManaged--;
            if (closing && liveManaged == 0) releaseContext();
        }
    }

    long allocateDevice(long bytes) {
        return driver.allocate(bytes);
    }

    void freeDevice(long pointer) {
        if (pointer != 0 && !contextReleased) driver.free(pointer);
    }

    MemorySegment allocatePinned(long bytes) {
        return driver.allocatePinned(bytes);
    }

    void freePinned(MemorySegment pinned) {
        if (!contextReleased) driver.freePinned(pinned);
    }

    void copyToDevice(long device, MemorySegment host, long bytes) {
        driver.copyToDevice(device, host, bytes, stream);
    }

    void copyToHost(MemorySegment host, long device, long bytes) {
        driver.copyToHost(host, device, bytes, stream);
    }

    /** {free, total} bytes of device memory. */
    long[] memoryInfo() {
        return driver.memoryInfo();
    }

    /**
     * Destroys the cuBLAS handle, modules and stream. The primary context is released now if no
     * managed memory is live, else when the last of it is freed: tensors still open keep their
     * memory valid until their arenas close.
     */
    void close() {
        if (closing) return;
        closing = true;
        try {
            makeCurrent();
            if (stream.address() != 0) driver.synchronize(stream);
        } catch (RuntimeException e) {
            // closing anyway
        }
        if (cublasHandle.address() != 0) {
            try {
                cublas.destroy(cublasHandle);
            } catch (RuntimeException e) {
                // closing anyway
            }
            cublasHandle = MemorySegment.NULL;
        }
        for (MemorySegment module : modules) {
            try {
                driver.unloadModule(module);
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
        modules.clear();
        if (stream.address() != 0) {
            try {
                driver.destroyStream(stream);
            } catch (RuntimeException e) {
                // closing anyway
            }
            stream = MemorySegment.NULL;
        }
        if (liveManaged == 0) releaseContext();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // the open failure is what the caller reports
        }
    }

    private void releaseContext() {
        if (contextReleased) return;
        contextReleased = true;
        try {
            driver.releasePrimaryContext(device);
        } catch (RuntimeException e) {
            // nothing left to do
        }
        arena.close();
    }
}
