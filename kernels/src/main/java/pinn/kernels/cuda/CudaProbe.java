package pinn.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Objects;

/**
 * Finds out whether the CUDA backend can run here, and if so opens it; if not, says why in one
 * line with a reason that can be logged and counted. It never throws and never prints.
 *
 * <pre>{@code
 * switch (CudaProbe.probe()) {
 *     case CudaProbe.Usable usable -> backend = usable.backend();
 *     case CudaProbe.Unusable unusable -> {
 *         log.info(unusable.logLine());                   // "CUDA backend unavailable (no-driver): ..."
 *         metrics.count("cuda_unavailable", unusable.reason().label());
 *         backend = new VectorBackend();
 *     }
 * }
 * }</pre>
 *
 * <p>Steps, each with its own reason when it fails: the driver library, cuInit, a device, managed
 * memory support, the primary context and a stream, cuBLAS, the PTX modules, and a self-test
 * (a few ops of every kind against the reference backend on small data).
 */
public final class CudaProbe {

    /** Why the CUDA backend cannot be used. {@link #label()} is stable: use it as a metric label. */
    public enum Reason {
        /** Switched off by configuration ({@code -Dpinn.cuda=off}). */
        DISABLED,
        /** No NVIDIA driver: libcuda.so.1 is missing, is the toolkit's stub, or lacks CUDA 12 functions. */
        NO_DRIVER,
        /** The driver is there but does not initialise (e.g. kernel module and library versions differ). */
        DRIVER_INIT_FAILED,
        /** The driver sees no CUDA device (or not the one asked for). */
        NO_DEVICE,
        /** The device is there but a context or stream cannot be made (busy, exclusive, out of memory). */
        DEVICE_UNAVAILABLE,
        /** The device cannot allocate managed memory, which the backend's tensors live in. */
        NO_MANAGED_MEMORY,
        /** No libcublas.so.13 or .12, or one without the functions needed. */
        CUBLAS_MISSING,
        /** cuBLAS is there but cannot make a handle. */
        CUBLAS_FAILED,
        /** The driver refused the PTX (too old for its ISA version, or the JIT failed), or a kernel is missing from it. */
        MODULE_LOAD_FAILED,
        /** Everything loaded, but the self-test's results disagree with the reference backend, or a call failed. */
        SELF_TEST_FAILED;

        /** The reason in kebab case, e.g. {@code no-driver}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What the probe found. */
    public sealed interface Outcome permits Usable, Unusable {}

    /** The backend is ready. The caller owns it: close it when done. */
    public record Usable(CudaBackend backend) implements Outcome {
        public String logLine() {
            return "CUDA backend ready: " + backend.deviceInfo().describe();
        }
    }

    /** The backend cannot run here, and why. */
    public record Unusable(Reason reason, String message) implements Outcome {
        public Unusable {
            Objects.requireNonNull(reason);
            message = message == null || message.isBlank() ? reason.label() : message.replace('\n', ' ').strip();
        }

        /** One line for a log: {@code CUDA backend unavailable (no-driver): libcuda.so.1 ...}. */
        public String logLine() {
            return "CUDA backend unavailable (" + reason.label() + "): " + message;
        }
    }

    /**
     * @param device the CUDA ordinal to use ({@code -Dpinn.cuda.device}, default 0)
     * @param synchronizeEachOp whether each backend call waits for its work ({@code -Dpinn.cuda.sync}, default true)
     * @param selfTest whether to check a few ops against the reference before saying yes (default true)
     * @param enabled false to report {@link Reason#DISABLED} at once ({@code -Dpinn.cuda=off})
     */
    public record Options(int device, boolean synchronizeEachOp, boolean selfTest, boolean enabled) {

        /** From the system properties named above. */
        public static Options fromSystemProperties() {
            String cuda = System.getProperty("pinn.cuda", "auto").strip().toLowerCase(Locale.ROOT);
            return new Options(Integer.getInteger("pinn.cuda.device", 0),
                    !"false".equalsIgnoreCase(System.getProperty("pinn.cuda.sync", "true")), true,
                    !(cuda.equals("off") || cuda.equals("false") || cuda.equals("disabled")));
        }

        public Options withSynchronizeEachOp(boolean synchronize) {
            return new Options(device, synchronize, selfTest, enabled);
        }
    }

    private final CudaLibraries libraries;
    private final Options options;

    /** A probe of the given libraries (the machine's, or {@link EmulatedCuda}'s). */
    public CudaProbe(CudaLibraries libraries, Options options) {
        this.libraries = Objects.requireNonNull(libraries);
        this.options = Objects.requireNonNull(options);
    }

    /** Probes this machine with options from the system properties. */
    public static Outcome probe() {
        return new CudaProbe(CudaLibraries.system(), Options.fromSystemProperties()).run();
    }

    /** Runs the steps; never throws. */
    public Outcome run() {
        if (!options.enabled()) return new Unusable(Reason.DISABLED, "switched off by -Dpinn.cuda=" + System.getProperty("pinn.cuda", "off"));
        CudaDevice device;
        try {
            device = CudaDevice.open(libraries, options.device());
        } catch (CudaDevice.OpenFailure f) {
            return new Unusable(f.reason, f.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Unusable(Reason.DRIVER_INIT_FAILED, "unexpected " + e);
        }
        CudaBackend backend = new CudaBackend(device, options.synchronizeEachOp());
        if (options.selfTest()) {
            String problem;
            try {
                problem = selfTest(backend);
            } catch (RuntimeException e) {
                problem = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            if (problem != null) {
                try {
                    backend.close();
                } catch (RuntimeException e) {
                    // reporting the self-test's problem matters more
                }
                return new Unusable(Reason.SELF_TEST_FAILED, problem);
            }
        }
        return new Usable(backend);
    }

    /** Tolerance of the self-test, relative to the largest reference value of each output. */
    static final double SELF_TEST_TOLERANCE = 1e-12;

    /**
     * A few ops of every kind on small data (GEMM in each form, elementwise, both sums in one and
     * two passes, Adam), compared with {@link pinn.kernels.ReferenceBackend}: null if all agree,
     * else what disagreed.
     */
    static String selfTest(CudaBackend gpu) {
        pinn.kernels.ReferenceBackend reference = new pinn.kernels.ReferenceBackend();
        java.util.SplittableRandom random = new java.util.SplittableRandom(20240601);
        try (Arena arena = Arena.ofConfined()) {
            int m = 37, n = 29, k = 53;
            double[] a = values(random, m * k, -1, 1), b = values(random, k * n, -1, 1), c0 = values(random, m * n, -1, 1);
            double[] bias = values(random, n, -1, 1);
            String problem;
            for (int form = 0; form < 3; form++) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    final int f = form;
                    final boolean acc = accumulate;
                    problem = compare(arena, gpu, reference, "gemm form " + form + (accumulate ? " accumulate" : ""), m * n,
                            new double[][] {a, b, c0}, (be, s) -> {
                                switch (f) {
                                    case 0 -> be.gemm(m, n, k, s[0], s[1], s[2], acc);
                                    case 1 -> be.gemmTransA(m, n, k, s[0], s[1], s[2], acc);
                                    default -> be.gemmTransB(m, n, k, s[0], s[1], s[2], acc);
                                }
                                return s[2];
                            });
                    if (problem != null) return problem;
                }
            }
            problem = compare(arena, gpu, reference, "gemmBias", m * n, new double[][] {a, b, bias, c0},
                    (be, s) -> { be.gemmBias(m, n, k, s[0], s[1], s[2], s[3]); return s[3]; });
            if (problem != null) return problem;
            int size = 1000;
            double[] x = values(random, size, -3, 3), y = values(random, size, 0.5, 2), z = values(random, size, -1, 1);
            problem = compare(arena, gpu, reference, "mulAdd", size, new double[][] {x, y, z, new double[size]},
                    (be, s) -> { be.mulAdd(size, s[0], s[1], s[2], s[3]); return s[3]; });
            if (problem != null) return problem;
            problem = compare(arena, gpu, reference, "div", size, new double[][] {x, y},
                    (be, s) -> { be.div(size, s[0], s[1], s[0]); return s[0]; });
            if (problem != null) return problem;
            problem = compare(arena, gpu, reference, "tanh", size, new double[][] {x, new double[size]},
                    (be, s) -> { be.tanh(size, s[0], s[1]); return s[1]; });
            if (problem != null) return problem;
            problem = compare(arena, gpu, reference, "tanh derivative 3", size, new double[][] {z, new double[size]},
                    (be, s) -> { be.tanhDerivative(3, size, s[0], s[1]); return s[1]; });
            if (problem != null) return problem;
            problem = compare(arena, gpu, reference, "exp and log", size, new double[][] {x, new double[size]},
                    (be, s) -> { be.exp(size, s[0], s[1]); be.log(size, s[1], s[1]); return s[1]; });
            if (problem != null) return problem;
            int rows = 700, cols = 3;
            double[] tall = values(random, rows * cols, -1, 1);
            problem = compare(arena, gpu, reference, "columnSums (two passes)", cols, new double[][] {tall, new double[cols]},
                    (be, s) -> { be.columnSums(rows, cols, s[0], s[1]); return s[1]; });
            if (problem != null) return problem;
            problem = compare(arena, gpu, reference, "rowSums (two passes)", cols, new double[][] {tall, new double[cols]},
                    (be, s) -> { be.rowSums(cols, rows, s[0], s[1]); return s[1]; });
            if (problem != null) return problem;
            problem = compare(arena, gpu, reference, "addRowVector", rows * cols, new double[][] {tall, values(random, cols, -1, 1)},
                    (be, s) -> { be.addRowVector(rows, cols, s[0], s[1], s[0]); return s[0]; });
            if (problem != null) return problem;
            double[] params = values(random, size, -1, 1), grads = values(random, size, -1, 1);
            double[] m1 = values(random, size, -0.1, 0.1), m2 = values(random, size, 0, 0.1);
            return compare(arena, gpu, reference, "adam", size, new double[][] {params, grads, m1, m2}, (be, s) -> {
                be.adam(size, s[0], s[1], s[2], s[3], pinn.kernels.AdamConfig.withLearningRate(1e-3), 7);
                return s[0];
            });
        }
    }

    private interface Op {
        MemorySegment apply(pinn.kernels.Backend backend, MemorySegment[] segments);
    }

    private static String compare(Arena arena, CudaBackend gpu, pinn.kernels.Backend reference, String what, int outputs,
                                  double[][] inputs, Op op) {
        double[] expected = run(arena, reference, inputs, op, outputs);
        double[] actual = run(arena, gpu, inputs, op, outputs);
        double scale = 0, worst = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < outputs; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (!(d <= worst)) worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        }
        double relative = scale == 0 ? worst : worst / scale;
        if (relative <= SELF_TEST_TOLERANCE) return null;
        return String.format(Locale.ROOT, "self-test: %s differs from the reference by %.3g relative (tolerance %.0e)", what, relative,
                SELF_TEST_TOLERANCE);
    }

    private static double[] run(Arena arena, pinn.kernels.Backend backend, double[][] inputs, Op op, int outputs) {
        MemorySegment[] segments = new MemorySegment[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            segments[i] = backend.allocate(arena, inputs[i].length);
            MemorySegment.copy(inputs[i], 0, segments[i], java.lang.foreign.ValueLayout.JAVA_DOUBLE, 0, inputs[i].length);
        }
        MemorySegment out = op.apply(backend, segments);
        if (backend instanceof CudaBackend cuda && !cuda.synchronizesEachOp()) cuda.synchronize();
        double[] result = new double[outputs];
        MemorySegment.copy(out, java.lang.foreign.ValueLayout.JAVA_DOUBLE, 0, result, 0, outputs);
        return result;
    }

    private static double[] values(java.util.SplittableRandom random, int count, double low, double high) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) v[i] = low + (high - low) * random.nextDouble();
        return v;
    }
}
