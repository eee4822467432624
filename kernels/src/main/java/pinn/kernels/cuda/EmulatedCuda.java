package pinn.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A stand-in for libcuda.so.1 and libcublas.so on a machine without a GPU. Each driver and cuBLAS
 * function that {@link CudaDriver} and {@link Cublas} bind is a Java method here, handed out as a
 * native function pointer (an FFM upcall stub), so the real binding code, argument marshalling
 * included, runs against it: {@code CudaProbe} and {@code CudaBackend} cannot tell the difference.
 * The kernels run as Java loops written after native/*.cu, or, with {@link #withKernelsFrom}, as
 * the CUDA C of native/ itself compiled for the host; DGEMM is a column-major triple loop;
 * "device" memory is host memory that only the emulated kernels and copies may touch, with every
 * access bounds-checked (a stray access becomes a sticky CUDA_ERROR_ILLEGAL_ADDRESS, as on a GPU).
 *
 * <p>It checks the host side (probe steps and their reasons, the operand swap, launch arguments,
 * staging, chunked sums, failure handling), never the CUDA C itself or a real driver: a GPU run of
 * {@code bench/gpu-check.sh run} does that. Slow: for tests and dry runs only.
 *
 * <p>Faults for the probe's tests are set with the fluent methods before probing.
 */
public final class EmulatedCuda implements CudaLibraries {

    private static final int DRIVER_VERSION = 13000;
    private static final int CUBLAS_VERSION = 130000;

    private boolean driverPresent = true;
    private final Set<String> missingSymbols = new HashSet<>();
    private int initStatus = CudaStatus.SUCCESS;
    private int deviceCount = 1;
    private boolean managedMemory = true;
    private int contextStatus = CudaStatus.SUCCESS;
    private boolean cublasPresent = true;
    private int cublasCreateStatus = CudaStatus.CUBLAS_STATUS_SUCCESS;
    private double maxPtxIsa = 9.9;
    private long failingLaunch = -1;
    private String corruptKernel;
    private SymbolLookup hostKernels;
    private final Map<Kernel, MethodHandle> hostLaunchers = new EnumMap<>(Kernel.class);

    private final Arena arena = Arena.ofShared();
    private Map<String, MemorySegment> driverStubs;
    private Map<String, MemorySegment> cublasStubs;
    private final TreeMap<Long, Allocation> allocations = new TreeMap<>();
    private final Map<Long, Map<String, List<String>>> modules = new HashMap<>();
    private final Map<Long, String> functions = new HashMap<>();
    private final Map<Integer, MemorySegment> errorNames = new HashMap<>();
    private long nextHandle = 0x1000;
    private int stickyError = CudaStatus.SUCCESS;
    private long launches;
    private Throwable lastUnexpected;

    private enum Kind { MANAGED, DEVICE, PINNED }

    private record Allocation(Kind kind, MemorySegment memory, Arena arena) {}

    // ---- faults ----

    /** libcuda.so.1 cannot be found. */
    public EmulatedCuda withoutDriver() {
        driverPresent = false;
        return this;
    }

    /** The driver (or cuBLAS) library lacks {@code symbol}. */
    public EmulatedCuda withoutSymbol(String symbol) {
        missingSymbols.add(symbol);
        return this;
    }

    /** cuInit returns {@code status} (e.g. 34 for the toolkit's stub, 100 for no device). */
    public EmulatedCuda failingInit(int status) {
        initStatus = status;
        return this;
    }

    public EmulatedCuda withDevices(int count) {
        deviceCount = count;
        return this;
    }

    public EmulatedCuda withoutManagedMemory() {
        managedMemory = false;
        return this;
    }

    /** cuDevicePrimaryCtxRetain returns {@code status}. */
    public EmulatedCuda failingContext(int status) {
        contextStatus = status;
        return this;
    }

    public EmulatedCuda withoutCublas() {
        cublasPresent = false;
        return this;
    }

    /** cublasCreate returns {@code status}. */
    public EmulatedCuda failingCublasCreate(int status) {
        cublasCreateStatus = status;
        return this;
    }

    /** The driver accepts PTX up to this ISA version (CUDA 12.0's is 8.0; set 7.8 to refuse ours). */
    public EmulatedCuda acceptingPtxUpTo(double isaVersion) {
        maxPtxIsa = isaVersion;
        return this;
    }

    /** The {@code n}-th launch from now on (1-based) faults: CUDA_ERROR_ILLEGAL_ADDRESS at the next synchronisation. */
    public EmulatedCuda faultingLaunch(long n) {
        failingLaunch = launches + n;
        return this;
    }

    /** Kernel {@code entry} (e.g. pinn_tanh) writes a wrong first value: a miscompiled kernel. */
    public EmulatedCuda corrupting(String entry) {
        corruptKernel = entry;
        return this;
    }

    /**
     * Kernels run as the CUDA C of native/*.cu compiled for the host with
     * {@code native/cuda-on-host.h}: each launch calls {@code ENTRY_on_host(blocks, threads, args)}
     * in {@code library} over the launch's own grid, instead of the Java transcriptions. Array
     * arguments are still checked to point into device memory (else a sticky
     * CUDA_ERROR_ILLEGAL_ADDRESS, as on a GPU), but not for their extent.
     */
    public EmulatedCuda withKernelsFrom(SymbolLookup library) {
        hostKernels = Objects.requireNonNull(library);
        return this;
    }

    /** Kernels launched so far. */
    public synchronized long launches() {
        return launches;
    }

    /** Bytes of emulated device, managed and pinned memory not yet freed. */
    public synchronized long bytesAllocated() {
        long total = 0;
        for (Allocation a : allocations.values()) total += a.memory().byteSize();
        return total;
    }

    /** The last Java exception an emulated function caught (returned as CUDA_ERROR_UNKNOWN), for test diagnostics. */
    public synchronized Optional<Throwable> lastUnexpected() {
        return Optional.ofNullable(lastUnexpected);
    }

    // ---- CudaLibraries ----

    @Override
    public synchronized Located driver() {
        if (!driverPresent) return Located.missing("libcuda.so.1 (emulated: no driver installed)");
        if (driverStubs == null) driverStubs = stubs(CudaDriver.FUNCTIONS);
        Map<String, MemorySegment> stubs = driverStubs;
        return Located.found("emulated libcuda.so.1 (Java)", name -> Optional.ofNullable(stubs.get(name)));
    }

    @Override
    public synchronized Located cublas() {
        if (!cublasPresent) return Located.missing("libcublas.so.13 or libcublas.so.12 (emulated: not installed)");
        if (cublasStubs == null) cublasStubs = stubs(Cublas.FUNCTIONS);
        Map<String, MemorySegment> stubs = cublasStubs;
        return Located.found("emulated libcublas.so.13 (Java)", name -> Optional.ofNullable(stubs.get(name)));
    }

    /** An upcall stub per function: this object's method of the same name, any exception turned into a status. */
    private Map<String, MemorySegment> stubs(Map<String, FunctionDescriptor> functions) {
        Map<String, MemorySegment> stubs = new HashMap<>();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            MethodHandle failed = lookup.findVirtual(EmulatedCuda.class, "failed", MethodType.methodType(int.class, Throwable.class)).bindTo(this);
            for (Map.Entry<String, FunctionDescriptor> f : functions.entrySet()) {
                if (missingSymbols.contains(f.getKey())) continue;
                MethodType type = f.getValue().toMethodType();
                MethodHandle target = lookup.findVirtual(EmulatedCuda.class, f.getKey(), type).bindTo(this);
                MethodHandle handler = MethodHandles.dropArguments(failed, 1, type.parameterList());
                MethodHandle safe = MethodHandles.catchException(target, Throwable.class, handler);
                stubs.put(f.getKey(), Linker.nativeLinker().upcallStub(safe, f.getValue(), arena));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the emulator lacks a function it must stand in for: " + e.getMessage(), e);
        }
        return stubs;
    }

    private synchronized int failed(Throwable t) {
        lastUnexpected = t;
        return CudaStatus.ERROR_UNKNOWN;
    }

    private synchronized MemorySegment handle() {
        return MemorySegment.ofAddress(nextHandle += 16);
    }

    private static void writeInt(MemorySegment out, int value) {
        out.reinterpret(4).set(JAVA_INT, 0, value);
    }

    private static void writeLong(MemorySegment out, long value) {
        out.reinterpret(8).set(JAVA_LONG, 0, value);
    }

    private static void writeAddress(MemorySegment out, MemorySegment value) {
        out.reinterpret(8).set(ADDRESS, 0, value);
    }

    // ---- driver API (names and signatures as CudaDriver.FUNCTIONS) ----

    int cuInit(int flags) {
        return initStatus;
    }

    int cuDriverGetVersion(MemorySegment out) {
        writeInt(out, DRIVER_VERSION);
        return CudaStatus.SUCCESS;
    }

    synchronized int cuGetErrorName(int status, MemorySegment out) {
        writeAddress(out, errorNames.computeIfAbsent(status, s -> arena.allocateFrom(CudaStatus.driverName(s))));
        return CudaStatus.SUCCESS;
    }

    int cuDeviceGetCount(MemorySegment out) {
        writeInt(out, deviceCount);
        return CudaStatus.SUCCESS;
    }

    int cuDeviceGet(MemorySegment out, int ordinal) {
        if (ordinal < 0 || ordinal >= deviceCount) return CudaStatus.ERROR_INVALID_DEVICE;
        writeInt(out, ordinal);
        return CudaStatus.SUCCESS;
    }

    int cuDeviceGetName(MemorySegment out, int length, int device) {
        byte[] name = ("Emulated CUDA device " + device + " (Java)").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MemorySegment buffer = out.reinterpret(length);
        int n = Math.min(name.length, length - 1);
        MemorySegment.copy(name, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
        buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, n, (byte) 0);
        return CudaStatus.SUCCESS;
    }

    int cuDeviceGetAttribute(MemorySegment out, int attribute, int device) {
        int value = switch (attribute) {
            case CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR -> 9;
            case CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR -> 0;
            case CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT -> 1;
            case CudaDriver.CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY -> managedMemory ? 1 : 0;
            case CudaDriver.CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS -> 1;
            default -> 0;
        };
        writeInt(out, value);
        return CudaStatus.SUCCESS;
    }

    int cuDeviceTotalMem_v2(MemorySegment out, int device) {
        writeLong(out, Runtime.getRuntime().maxMemory());
        return CudaStatus.SUCCESS;
    }

    int cuDevicePrimaryCtxRetain(MemorySegment out, int device) {
        if (contextStatus != CudaStatus.SUCCESS) return contextStatus;
        writeAddress(out, handle());
        return CudaStatus.SUCCESS;
    }

    int cuDevicePrimaryCtxRelease_v2(int device) {
        return CudaStatus.SUCCESS;
    }

    int cuCtxSetCurrent(MemorySegment context) {
        return CudaStatus.SUCCESS;
    }

    int cuStreamCreate(MemorySegment out, int flags) {
        writeAddress(out, handle());
        return CudaStatus.SUCCESS;
    }

    synchronized int cuStreamSynchronize(MemorySegment stream) {
        return stickyError;
    }

    int cuStreamDestroy_v2(MemorySegment stream) {
        return CudaStatus.SUCCESS;
    }

    synchronized int cuModuleLoadDataEx(MemorySegment out, MemorySegment image, int optionCount, MemorySegment options,
                                        MemorySegment optionValues) {
        PtxModule ptx = new PtxModule("image", image.reinterpret(Long.MAX_VALUE).getString(0));
        double isa;
        try {
            isa = Double.parseDouble(ptx.isaVersion());
        } catch (NumberFormatException e) {
            return CudaStatus.ERROR_INVALID_PTX;
        }
        if (isa > maxPtxIsa) {
            writeJitLog(optionCount, options, optionValues, "ptxas application ptx input, line 1; fatal : Unsupported .version "
                    + ptx.isaVersion() + "; current version is '" + maxPtxIsa + "'");
            return CudaStatus.ERROR_UNSUPPORTED_PTX_VERSION;
        }
        Map<String, List<String>> entries = ptx.entries();
        if (entries.isEmpty()) return CudaStatus.ERROR_INVALID_PTX;
        MemorySegment module = handle();
        modules.put(module.address(), entries);
        writeAddress(out, module);
        return CudaStatus.SUCCESS;
    }

    private static void writeJitLog(int optionCount, MemorySegment options, MemorySegment optionValues, String log) {
        MemorySegment opts = options.reinterpret(4L * optionCount), values = optionValues.reinterpret(8L * optionCount);
        MemorySegment buffer = null;
        long size = 0;
        for (int i = 0; i < optionCount; i++) {
            int option = opts.getAtIndex(JAVA_INT, i);
            if (option == CudaDriver.CU_JIT_ERROR_LOG_BUFFER) buffer = values.getAtIndex(ADDRESS, i);
            if (option == CudaDriver.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) size = values.getAtIndex(ADDRESS, i).address();
        }
        if (buffer == null || size <= 0) return;
        byte[] bytes = log.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = (int) Math.min(bytes.length, size - 1);
        MemorySegment target = buffer.reinterpret(size);
        MemorySegment.copy(bytes, 0, target, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
        target.set(java.lang.foreign.ValueLayout.JAVA_BYTE, n, (byte) 0);
    }

    synchronized int cuModuleGetFunction(MemorySegment out, MemorySegment module, MemorySegment name) {
        Map<String, List<String>> entries = modules.get(module.address());
        if (entries == null) return CudaStatus.ERROR_INVALID_HANDLE;
        String entry = name.reinterpret(Long.MAX_VALUE).getString(0);
        if (!entries.containsKey(entry)) return CudaStatus.ERROR_NOT_FOUND;
        MemorySegment function = handle();
        functions.put(function.address(), entry);
        writeAddress(out, function);
        return CudaStatus.SUCCESS;
    }

    synchronized int cuModuleUnload(MemorySegment module) {
        return modules.remove(module.address()) == null ? CudaStatus.ERROR_INVALID_HANDLE : CudaStatus.SUCCESS;
    }

    int cuMemGetInfo_v2(MemorySegment free, MemorySegment total) {
        writeLong(free, Runtime.getRuntime().maxMemory() - bytesAllocated());
        writeLong(total, Runtime.getRuntime().maxMemory());
        return CudaStatus.SUCCESS;
    }

    private synchronized long allocate(Kind kind, long bytes) {
        Arena memory = Arena.ofShared();
        MemorySegment segment = memory.allocate(bytes, 256);
        allocations.put(segment.address(), new Allocation(kind, segment, memory));
        return segment.address();
    }

    int cuMemAllocManaged(MemorySegment out, long bytes, int flags) {
        if (bytes <= 0 || flags != CudaDriver.CU_MEM_ATTACH_GLOBAL) return CudaStatus.ERROR_INVALID_VALUE;
        if (!managedMemory) return CudaStatus.ERROR_NOT_SUPPORTED;
        writeLong(out, allocate(Kind.MANAGED, bytes));
        return CudaStatus.SUCCESS;
    }

    int cuMemAlloc_v2(MemorySegment out, long bytes) {
        if (bytes <= 0) return CudaStatus.ERROR_INVALID_VALUE;
        writeLong(out, allocate(Kind.DEVICE, bytes));
        return CudaStatus.SUCCESS;
    }

    synchronized int cuMemFree_v2(long pointer) {
        Allocation a = allocations.get(pointer);
        if (a == null || a.kind() == Kind.PINNED) return CudaStatus.ERROR_INVALID_VALUE;
        allocations.remove(pointer);
        a.arena().close();
        return CudaStatus.SUCCESS;
    }

    int cuMemHostAlloc(MemorySegment out, long bytes, int flags) {
        if (bytes <= 0) return CudaStatus.ERROR_INVALID_VALUE;
        writeAddress(out, MemorySegment.ofAddress(allocate(Kind.PINNED, bytes)));
        return CudaStatus.SUCCESS;
    }

    synchronized int cuMemFreeHost(MemorySegment pointer) {
        Allocation a = allocations.get(pointer.address());
        if (a == null || a.kind() != Kind.PINNED) return CudaStatus.ERROR_INVALID_VALUE;
        allocations.remove(pointer.address());
        a.arena().close();
        return CudaStatus.SUCCESS;
    }

    /** The device-visible memory from {@code pointer} to the end of its allocation; null if there is none. */
    private synchronized MemorySegment deviceMemory(long pointer) {
        Map.Entry<Long, Allocation> e = allocations.floorEntry(pointer);
        if (e == null || e.getValue().kind() == Kind.PINNED) return null;
        MemorySegment memory = e.getValue().memory();
        long offset = pointer - e.getKey();
        if (offset >= memory.byteSize()) return null;
        return memory.asSlice(offset);
    }

    synchronized int cuMemsetD32Async(long pointer, int value, long words, MemorySegment stream) {
        if (stickyError != CudaStatus.SUCCESS) return stickyError;
        MemorySegment target = deviceMemory(pointer);
        if (target == null || target.byteSize() < 4 * words) return CudaStatus.ERROR_INVALID_VALUE;
        for (long i = 0; i < words; i++) target.setAtIndex(JAVA_INT, i, value);
        return CudaStatus.SUCCESS;
    }

    synchronized int cuMemcpyHtoDAsync_v2(long device, MemorySegment host, long bytes, MemorySegment stream) {
        if (stickyError != CudaStatus.SUCCESS) return stickyError;
        MemorySegment target = deviceMemory(device);
        if (target == null || target.byteSize() < bytes) return CudaStatus.ERROR_INVALID_VALUE;
        MemorySegment.copy(host.reinterpret(bytes), 0, target, 0, bytes);
        return CudaStatus.SUCCESS;
    }

    synchronized int cuMemcpyDtoHAsync_v2(MemorySegment host, long device, long bytes, MemorySegment stream) {
        if (stickyError != CudaStatus.SUCCESS) return stickyError;
        MemorySegment source = deviceMemory(device);
        if (source == null || source.byteSize() < bytes) return CudaStatus.ERROR_INVALID_VALUE;
        MemorySegment.copy(source, 0, host.reinterpret(bytes), 0, bytes);
        return CudaStatus.SUCCESS;
    }

    synchronized int cuLaunchKernel(MemorySegment function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                                    int sharedBytes, MemorySegment stream, MemorySegment kernelParams, MemorySegment extra) {
        if (stickyError != CudaStatus.SUCCESS) return stickyError;
        String entry = functions.get(function.address());
        if (entry == null) return CudaStatus.ERROR_INVALID_HANDLE;
        if (gridX < 1 || gridY != 1 || gridZ != 1 || blockX < 1 || blockX > 1024 || blockY != 1 || blockZ != 1) {
            return CudaStatus.ERROR_INVALID_VALUE;
        }
        if (kernelParams.address() == 0 || extra.address() != 0) return CudaStatus.ERROR_INVALID_VALUE;
        Kernel kernel = null;
        for (Kernel k : Kernel.values()) if (k.entry.equals(entry)) kernel = k;
        if (kernel == null) return CudaStatus.ERROR_INVALID_HANDLE;
        int count = kernel.params.size();
        MemorySegment pointers = kernelParams.reinterpret(8L * count);
        long[] args = new long[count];
        for (int i = 0; i < count; i++) args[i] = pointers.getAtIndex(ADDRESS, i).reinterpret(8).get(JAVA_LONG, 0);
        launches++;
        if (launches == failingLaunch) {
            stickyError = CudaStatus.ERROR_ILLEGAL_ADDRESS;
            return CudaStatus.SUCCESS;
        }
        try {
            if (hostKernels != null) runOnHost(kernel, gridX, blockX, args);
            else run(kernel, args);
            if (entry.equals(corruptKernel)) {
                MemorySegment out = deviceMemory(args[kernel == Kernel.ADAM ? 1 : count - 1]); // the output array
                out.set(JAVA_DOUBLE, 0, out.get(JAVA_DOUBLE, 0) + 1.0);
            }
        } catch (IndexOutOfBoundsException | NullPointerException | IllegalArgumentException e) {
            stickyError = CudaStatus.ERROR_ILLEGAL_ADDRESS; // a fault, reported at the next synchronisation
        }
        return CudaStatus.SUCCESS;
    }

    /** The kernel's CUDA C, compiled for the host, over a grid of {@code blocks} × {@code threads}. */
    private void runOnHost(Kernel kernel, int blocks, int threads, long[] args) {
        for (int i = 0; i < args.length; i++) {
            if (kernel.params.get(i) == Kernel.Param.POINTER) array(args[i]); // device memory, or a fault
        }
        MethodHandle launcher = hostLaunchers.computeIfAbsent(kernel, k -> Linker.nativeLinker().downcallHandle(
                hostKernels.find(k.entry + "_on_host").orElseThrow(
                        () -> new IllegalStateException("the host-compiled kernels lack " + k.entry + "_on_host")),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS)));
        try (Arena call = Arena.ofConfined()) {
            launcher.invokeExact(blocks, threads, call.allocateFrom(JAVA_LONG, args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    // ---- the kernels, after native/*.cu ----

    /** A kernel's array argument: the allocation from the pointer on, bounds-checked. */
    private MemorySegment array(long pointer) {
        MemorySegment memory = deviceMemory(pointer);
        if (memory == null) throw new IllegalArgumentException("pointer 0x" + Long.toHexString(pointer) + " is not device memory");
        return memory;
    }

    private static double d(long bits) {
        return Double.longBitsToDouble(bits);
    }

    private void run(Kernel kernel, long[] a) {
        long n = a[0];
        switch (kernel) {
            case ADD, SUB, MUL, DIV -> {
                MemorySegment x = array(a[1]), y = array(a[2]), out = array(a[3]);
                for (long i = 0; i < n; i++) {
                    double u = x.getAtIndex(JAVA_DOUBLE, i), v = y.getAtIndex(JAVA_DOUBLE, i);
                    double r = switch (kernel) {
                        case ADD -> u + v;
                        case SUB -> u - v;
                        case MUL -> u * v;
                        default -> u / v;
                    };
                    out.setAtIndex(JAVA_DOUBLE, i, r);
                }
            }
            case MUL_ADD -> {
                MemorySegment x = array(a[1]), y = array(a[2]), z = array(a[3]), out = array(a[4]);
                for (long i = 0; i < n; i++) {
                    out.setAtIndex(JAVA_DOUBLE, i, Math.fma(x.getAtIndex(JAVA_DOUBLE, i), y.getAtIndex(JAVA_DOUBLE, i), z.getAtIndex(JAVA_DOUBLE, i)));
                }
            }
            case SCALE, ADD_SCALAR -> {
                double alpha = d(a[1]);
                MemorySegment x = array(a[2]), out = array(a[3]);
                for (long i = 0; i < n; i++) {
                    double v = x.getAtIndex(JAVA_DOUBLE, i);
                    out.setAtIndex(JAVA_DOUBLE, i, kernel == Kernel.SCALE ? alpha * v : v + alpha);
                }
            }
            case SQUARE, EXP, LOG, TANH, TANH_DERIVATIVE_1, TANH_DERIVATIVE_2, TANH_DERIVATIVE_3, COPY -> {
                MemorySegment x = array(a[1]), out = array(a[2]);
                for (long i = 0; i < n; i++) {
                    double v = x.getAtIndex(JAVA_DOUBLE, i);
                    double d1 = 1.0 - v * v;
                    double r = switch (kernel) {
                        case SQUARE -> v * v;
                        case EXP -> Math.exp(v);
                        case LOG -> Math.log(v);
                        case TANH -> Math.tanh(v);
                        case TANH_DERIVATIVE_1 -> d1;
                        case TANH_DERIVATIVE_2 -> -2.0 * v * d1;
                        case TANH_DERIVATIVE_3 -> -2.0 * d1 * (1.0 - 3.0 * v * v);
                        default -> v;
                    };
                    out.setAtIndex(JAVA_DOUBLE, i, r);
                }
            }
            case FILL -> {
                double value = d(a[1]);
                MemorySegment out = array(a[2]);
                for (long i = 0; i < n; i++) out.setAtIndex(JAVA_DOUBLE, i, value);
            }
            case ADD_ROW_VECTOR -> {
                long rows = a[0], cols = a[1];
                MemorySegment x = array(a[2]), v = array(a[3]), out = array(a[4]);
                for (long i = 0; i < rows * cols; i++) {
                    out.setAtIndex(JAVA_DOUBLE, i, x.getAtIndex(JAVA_DOUBLE, i) + v.getAtIndex(JAVA_DOUBLE, i % cols));
                }
            }
            case COLUMN_SUMS -> {
                long rows = a[0], cols = a[1], chunkRows = a[2];
                MemorySegment x = array(a[3]), out = array(a[4]);
                long chunks = (rows + chunkRows - 1) / chunkRows;
                for (long i = 0; i < chunks * cols; i++) {
                    long chunk = i / cols, c = i % cols;
                    long begin = chunk * chunkRows, end = Math.min(rows, begin + chunkRows);
                    double sum = 0.0;
                    for (long r = begin; r < end; r++) sum += x.getAtIndex(JAVA_DOUBLE, r * cols + c);
                    out.setAtIndex(JAVA_DOUBLE, i, sum);
                }
            }
            case ROW_SUMS -> {
                long rows = a[0], cols = a[1], chunkCols = a[2];
                MemorySegment x = array(a[3]), out = array(a[4]);
                long chunks = (cols + chunkCols - 1) / chunkCols;
                for (long i = 0; i < rows * chunks; i++) {
                    long r = i / chunks, chunk = i % chunks;
                    long begin = chunk * chunkCols, end = Math.min(cols, begin + chunkCols);
                    double sum = 0.0;
                    for (long c = begin; c < end; c++) sum += x.getAtIndex(JAVA_DOUBLE, r * cols + c);
                    out.setAtIndex(JAVA_DOUBLE, i, sum);
                }
            }
            case TANH_JET -> {
                long directions = a[1], second = (directions + 1) * n;
                MemorySegment z = array(a[2]), out = array(a[3]);
                for (long i = 0; i < n; i++) {
                    double t = Math.tanh(z.getAtIndex(JAVA_DOUBLE, i));
                    double d1 = 1.0 - t * t;
                    double d2 = t * -2.0 * d1;
                    out.setAtIndex(JAVA_DOUBLE, i, t);
                    for (long k = 1; k <= directions; k++) out.setAtIndex(JAVA_DOUBLE, k * n + i, d1 * z.getAtIndex(JAVA_DOUBLE, k * n + i));
                    double a1 = z.getAtIndex(JAVA_DOUBLE, n + i);
                    out.setAtIndex(JAVA_DOUBLE, second + i, d1 * z.getAtIndex(JAVA_DOUBLE, second + i) + d2 * (a1 * a1));
                }
            }
            case TANH_JET_BACKWARD -> {
                long directions = a[1], second = (directions + 1) * n;
                MemorySegment z = array(a[2]), y = array(a[3]), g = array(a[4]), out = array(a[5]);
                for (long i = 0; i < n; i++) {
                    double t = y.getAtIndex(JAVA_DOUBLE, i);
                    double d1 = 1.0 - t * t;
                    double d2 = t * -2.0 * d1;
                    double d3 = d1 * -2.0 * (1.0 - t * 3.0 * t);
                    double a1 = z.getAtIndex(JAVA_DOUBLE, n + i), c = z.getAtIndex(JAVA_DOUBLE, second + i);
                    double gc = g.getAtIndex(JAVA_DOUBLE, second + i);
                    double sum = g.getAtIndex(JAVA_DOUBLE, i) * d1;
                    for (long k = 1; k <= directions; k++) {
                        sum = sum + g.getAtIndex(JAVA_DOUBLE, k * n + i) * z.getAtIndex(JAVA_DOUBLE, k * n + i) * d2;
                    }
                    sum = sum + gc * (c * d2 + a1 * a1 * d3);
                    out.setAtIndex(JAVA_DOUBLE, i, sum);
                    out.setAtIndex(JAVA_DOUBLE, n + i, g.getAtIndex(JAVA_DOUBLE, n + i) * d1 + gc * a1 * d2 * 2.0);
                    for (long k = 2; k <= directions; k++) out.setAtIndex(JAVA_DOUBLE, k * n + i, g.getAtIndex(JAVA_DOUBLE, k * n + i) * d1);
                    out.setAtIndex(JAVA_DOUBLE, second + i, gc * d1);
                }
            }
            case ADAM -> {
                MemorySegment params = array(a[1]), grads = array(a[2]), first = array(a[3]), second = array(a[4]);
                double learningRate = d(a[5]), beta1 = d(a[6]), beta2 = d(a[7]), epsilon = d(a[8]);
                double correction1 = d(a[9]), correction2 = d(a[10]);
                for (long i = 0; i < n; i++) {
                    double g = grads.getAtIndex(JAVA_DOUBLE, i);
                    double m = beta1 * first.getAtIndex(JAVA_DOUBLE, i) + (1.0 - beta1) * g;
                    double v = beta2 * second.getAtIndex(JAVA_DOUBLE, i) + (1.0 - beta2) * g * g;
                    first.setAtIndex(JAVA_DOUBLE, i, m);
                    second.setAtIndex(JAVA_DOUBLE, i, v);
                    double mHat = m / correction1, vHat = v / correction2;
                    params.setAtIndex(JAVA_DOUBLE, i, params.getAtIndex(JAVA_DOUBLE, i) - learningRate * mHat / (Math.sqrt(vHat) + epsilon));
                }
            }
        }
    }

    // ---- cuBLAS (names and signatures as Cublas.FUNCTIONS) ----

    int cublasCreate_v2(MemorySegment out) {
        if (cublasCreateStatus != CudaStatus.CUBLAS_STATUS_SUCCESS) return cublasCreateStatus;
        writeAddress(out, handle());
        return CudaStatus.CUBLAS_STATUS_SUCCESS;
    }

    int cublasDestroy_v2(MemorySegment handle) {
        return CudaStatus.CUBLAS_STATUS_SUCCESS;
    }

    int cublasSetStream_v2(MemorySegment handle, MemorySegment stream) {
        return CudaStatus.CUBLAS_STATUS_SUCCESS;
    }

    int cublasGetVersion_v2(MemorySegment handle, MemorySegment out) {
        writeInt(out, CUBLAS_VERSION);
        return CudaStatus.CUBLAS_STATUS_SUCCESS;
    }

    /** Column-major C = alpha·op(A)·op(B) + beta·C with cuBLAS's argument checks; beta = 0 ignores C. */
    synchronized int cublasDgemm_v2(MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alphaPointer,
                                    MemorySegment aPointer, int lda, MemorySegment bPointer, int ldb, MemorySegment betaPointer,
                                    MemorySegment cPointer, int ldc) {
        boolean ta = transA == Cublas.CUBLAS_OP_T, tb = transB == Cublas.CUBLAS_OP_T;
        if ((transA != Cublas.CUBLAS_OP_N && !ta) || (transB != Cublas.CUBLAS_OP_N && !tb) || m < 0 || n < 0 || k < 0
                || lda < Math.max(1, ta ? k : m) || ldb < Math.max(1, tb ? n : k) || ldc < Math.max(1, m)) {
            return CudaStatus.CUBLAS_STATUS_INVALID_VALUE;
        }
        if (stickyError != CudaStatus.SUCCESS) return CudaStatus.CUBLAS_STATUS_EXECUTION_FAILED;
        double alpha = alphaPointer.reinterpret(8).get(JAVA_DOUBLE, 0), beta = betaPointer.reinterpret(8).get(JAVA_DOUBLE, 0);
        try {
            MemorySegment a = array(aPointer.address()), b = array(bPointer.address()), c = array(cPointer.address());
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        double av = a.getAtIndex(JAVA_DOUBLE, ta ? p + (long) i * lda : i + (long) p * lda);
                        double bv = b.getAtIndex(JAVA_DOUBLE, tb ? j + (long) p * ldb : p + (long) j * ldb);
                        sum = Math.fma(av, bv, sum);
                    }
                    long at = i + (long) j * ldc;
                    c.setAtIndex(JAVA_DOUBLE, at, beta == 0 ? alpha * sum : alpha * sum + beta * c.getAtIndex(JAVA_DOUBLE, at));
                }
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            stickyError = CudaStatus.ERROR_ILLEGAL_ADDRESS;
        }
        return CudaStatus.CUBLAS_STATUS_SUCCESS;
    }
}
