package pinn.bench;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.autodiff.Workspace;
import pinn.kernels.AdamConfig;
import pinn.kernels.Backend;
import pinn.kernels.ReferenceBackend;
import pinn.kernels.VectorBackend;
import pinn.kernels.cuda.CudaBackend;
import pinn.kernels.cuda.CudaProbe;
import pinn.kernels.cuda.EmulatedCuda;
import pinn.runtime.Adam;
import pinn.runtime.BlackScholesPde;
import pinn.runtime.DefaultModel;
import pinn.runtime.Mlp;
import pinn.runtime.OptionPoints;
import pinn.runtime.PricingNetwork;
import pinn.runtime.model.Domain;
import pinn.runtime.model.ModelFile;
import pinn.runtime.train.Collocation;
import pinn.runtime.train.TrainingConfig;

/**
 * The one-command GPU check ({@code bench/gpu-check.sh run}): on a machine with an NVIDIA GPU,
 * does the CUDA backend agree with the CPU, and how fast is it?
 *
 * <p>Agreement, float64, each within 1e-12 relative: GEMM in every form against the reference
 * backend; every elementwise op (each value against the reference's); column and row sums; Adam;
 * and against the Vector API CPU backend: an MLP forward pass, the default model's price jet (the
 * price and its derivatives along all four directions), and one training step (the loss, its
 * gradient with respect to every weight, the Adam update); and the same step with deferred
 * synchronisation, which must equal the synchronised one bit for bit. "Relative" is the largest
 * difference over the largest reference value of each output (values, for elementwise ops).
 *
 * <p>Timings: batch price + Greeks at 10⁴ … 10⁷ options (through {@link PricingNetwork#priceJet}
 * on a tape, 2¹⁸ options per chunk on the GPU and 2¹⁴ on the CPU, the six outputs read back), one training step at 4096 …
 * 262,144 collocation points, both on the default model (2 → 32×4 → 1), then again on the
 * 2 → 64×4 → 1 model at the sizes the targets name (10⁷ options, 65,536 points); and DGEMM at
 * 65,536×64×64. The GPU column also says how much of the time was spent inside backend calls
 * (the rest is host work: features, tape, read-back).
 *
 * <p>Prints one table, row by row, and exits 0 if everything agreed, 1 on any disagreement, 2 if
 * no GPU is usable (with the probe's reason), 3 on an unexpected error. {@code --emulate} runs
 * the whole check against the emulated CUDA driver (small sizes, meaningless timings): a test of
 * this program and of the packed runtime on a machine without a GPU. {@code --quick} uses the
 * small sizes on a real GPU.
 */
public final class GpuCheck {

    static final double TOLERANCE = 1e-12;
    /** Options per tape when pricing in batch: large on the GPU (fewer ops to launch), cache-sized on the CPU. */
    private static final int CHUNK = 1 << 18, CPU_CHUNK = 1 << 14;

    /**
     * Sizes of a run. The default model is timed at every price and training size; the wide model
     * ({@value BenchModels#WIDE}, the network of the peers' numbers) at {@code widePriceSize} and
     * {@code wideTrainSize}, the sizes the targets name.
     */
    private record Plan(boolean emulate, int gemmScale, int elementwise, int composite, long[] priceSizes, long cpuPriceMax,
                        int[] trainSizes, int cpuTrainMax, long widePriceSize, int wideTrainSize, long budgetNanos) {

        static Plan full() {
            return new Plan(false, 1, (1 << 20) + 3, 4096, new long[] {10_000, 100_000, 1_000_000, 10_000_000}, 1_000_000,
                    new int[] {4096, 16_384, 65_536, 262_144}, 16_384, 10_000_000, 65_536, 270_000_000_000L);
        }

        static Plan small(boolean emulate) {
            return new Plan(emulate, 8, 10_007, 256, new long[] {1_000, 10_000}, 10_000, new int[] {256, 1024}, 1024, 10_000, 1024,
                    270_000_000_000L);
        }
    }

    private final Plan plan;
    private final long start = System.nanoTime();
    private final List<String[]> rows = new ArrayList<>();
    private int disagreements;
    private final ReferenceBackend reference = new ReferenceBackend();

    private GpuCheck(Plan plan) {
        this.plan = plan;
    }

    public static void main(String[] args) {
        boolean emulate = false, quick = false;
        for (String arg : args) {
            switch (arg) {
                case "--emulate" -> emulate = true;
                case "--quick" -> quick = true;
                case "-h", "--help" -> {
                    System.out.println("usage: GpuCheck [--quick] [--emulate]\n  --quick    small sizes\n  --emulate  run against the"
                            + " emulated CUDA driver (no GPU needed; timings meaningless)");
                    return;
                }
                default -> {
                    System.err.println("GpuCheck: unknown argument " + arg + " (try --help)");
                    System.exit(64);
                }
            }
        }
        System.exit(run(emulate || quick ? Plan.small(emulate) : Plan.full()));
    }

    private static int run(Plan plan) {
        System.out.printf(Locale.ROOT, "GPU check: Java %s on %s %s, %d cores%s%n", Runtime.version(), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), plan.emulate ? ", EMULATED CUDA (timings meaningless)" : "");
        CudaProbe.Options options = CudaProbe.Options.fromSystemProperties();
        CudaProbe.Outcome outcome = plan.emulate ? new CudaProbe(new EmulatedCuda(), options).run() : CudaProbe.probe();
        if (outcome instanceof CudaProbe.Unusable unusable) {
            System.out.println("GPU check: " + unusable.logLine());
            System.out.println("GPU check: FAILED: no usable GPU (reason " + unusable.reason().label() + "), nothing was checked");
            return 2;
        }
        CudaProbe.Usable usable = (CudaProbe.Usable) outcome;
        System.out.println("GPU check: " + usable.logLine());
        GpuCheck check = new GpuCheck(plan);
        try (CudaBackend gpu = usable.backend(); VectorBackend cpu = new VectorBackend()) {
            System.out.println("GPU check: CPU backend " + cpu + "; tolerance " + TOLERANCE + " relative; time budget "
                    + plan.budgetNanos / 1_000_000_000 + " s");
            check.header();
            check.agreement(gpu, cpu, options);
            check.timings(gpu, cpu);
        } catch (Throwable t) {
            System.out.println("GPU check: FAILED with an unexpected error after " + check.elapsedSeconds() + " s: " + t);
            t.printStackTrace(System.out);
            return 3;
        }
        System.out.printf(Locale.ROOT, "GPU check: %s: %d rows, %d disagreements, %.1f s%n",
                check.disagreements == 0 ? "PASSED" : "FAILED", check.rows.size(), check.disagreements, check.elapsedSeconds());
        return check.disagreements == 0 ? 0 : 1;
    }

    // ---- the table ----

    private static final String FORMAT = "%-42s %-14s %-34s %-30s %s%n";

    private void header() {
        System.out.println();
        System.out.printf(Locale.ROOT, FORMAT, "check", "size", "GPU", "CPU", "result");
        System.out.printf(Locale.ROOT, FORMAT, "-".repeat(42), "-".repeat(14), "-".repeat(34), "-".repeat(30), "-".repeat(24));
    }

    private void row(String check, String size, String gpu, String cpu, String result) {
        String[] row = {check, size, gpu, cpu, result};
        rows.add(row);
        System.out.printf(Locale.ROOT, FORMAT, (Object[]) row);
        System.out.flush();
    }

    private void agreementRow(String check, String size, double relative, String against) {
        boolean ok = relative <= TOLERANCE;
        if (!ok) disagreements++;
        row(check, size, String.format(Locale.ROOT, "rel. diff %.2e", relative), against, ok ? "agrees" : "DISAGREES (> 1e-12)");
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private boolean overBudget() {
        return System.nanoTime() - start > plan.budgetNanos;
    }

    // ---- agreement ----

    private void agreement(CudaBackend gpu, VectorBackend cpu, CudaProbe.Options options) throws Exception {
        gemms(gpu);
        elementwise(gpu);
        jetRules(gpu);
        sums(gpu);
        adam(gpu);
        mlpForward(gpu, cpu);
        priceJet(gpu, cpu);
        trainingStep(gpu, cpu, options);
    }

    /** max |actual − expected| / max |expected|; infinite if any difference is NaN. */
    static double normwise(double[] expected, double[] actual) {
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            if (Double.compare(expected[i], actual[i]) == 0) continue;
            double d = Math.abs(actual[i] - expected[i]);
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return scale == 0 ? worst : worst / scale;
    }

    /** max over values of |actual − expected| / |expected| (exact equality where expected is 0 or not finite). */
    static double elementwiseRelative(double[] expected, double[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Double.compare(expected[i], actual[i]) == 0) continue;
            double d = Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]);
            worst = Double.isNaN(d) || expected[i] == 0 ? Double.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst;
    }

    private static MemorySegment on(Backend backend, Arena arena, double[] values) {
        MemorySegment s = backend.allocate(arena, values.length);
        MemorySegment.copy(values, 0, s, JAVA_DOUBLE, 0, values.length);
        return s;
    }

    private static double[] read(MemorySegment s, int n) {
        double[] v = new double[n];
        MemorySegment.copy(s, JAVA_DOUBLE, 0, v, 0, n);
        return v;
    }

    private static double[] uniform(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    private interface GemmForm {
        void run(Backend b, int m, int n, int k, MemorySegment a, MemorySegment bm, MemorySegment c, boolean accumulate);
    }

    private void gemms(CudaBackend gpu) {
        int s = plan.gemmScale;
        int[][] shapes = {{4096 / s, 64, 64}, {37, 29, 53}, {1, 64, 64}, {64, 1, 64}, {64, 64, 16_384 / s}, {1000 / s, 1, 1}};
        String[] names = {"gemm", "gemmTransA", "gemmTransB"};
        GemmForm[] forms = {Backend::gemm, Backend::gemmTransA, Backend::gemmTransB};
        long seed = 100;
        for (int f = 0; f < forms.length; f++) {
            for (int[] shape : shapes) {
                int m = shape[0], n = shape[1], k = shape[2];
                double worst = 0;
                for (boolean accumulate : new boolean[] {false, true}) {
                    try (Arena arena = Arena.ofConfined()) {
                        double[] a = uniform(seed++, m * k, -1, 1), b = uniform(seed++, k * n, -1, 1), c = uniform(seed++, m * n, -1, 1);
                        MemorySegment rc = on(reference, arena, c), gc = on(gpu, arena, c);
                        forms[f].run(reference, m, n, k, on(reference, arena, a), on(reference, arena, b), rc, accumulate);
                        forms[f].run(gpu, m, n, k, on(gpu, arena, a), on(gpu, arena, b), gc, accumulate);
                        worst = Math.max(worst, normwise(read(rc, m * n), read(gc, m * n)));
                    }
                }
                agreementRow(names[f] + " (overwrite and accumulate)", m + "x" + n + "x" + k, worst, "vs reference");
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            int m = 4096 / s, n = 64, k = 64;
            double[] a = uniform(1, m * k, -1, 1), b = uniform(2, k * n, -1, 1), bias = uniform(3, n, -1, 1);
            MemorySegment rc = reference.allocate(arena, (long) m * n), gc = gpu.allocate(arena, (long) m * n);
            reference.gemmBias(m, n, k, on(reference, arena, a), on(reference, arena, b), on(reference, arena, bias), rc);
            gpu.gemmBias(m, n, k, on(gpu, arena, a), on(gpu, arena, b), on(gpu, arena, bias), gc);
            agreementRow("gemmBias", m + "x" + n + "x" + k, normwise(read(rc, m * n), read(gc, m * n)), "vs reference");
        }
    }

    private interface Op {
        void run(Backend b, int n, MemorySegment[] in, MemorySegment out);
    }

    private void elementwiseRow(CudaBackend gpu, String name, double[][] inputs, Op op) {
        int n = inputs[0].length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] ri = new MemorySegment[inputs.length], gi = new MemorySegment[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                ri[i] = on(reference, arena, inputs[i]);
                gi[i] = on(gpu, arena, inputs[i]);
            }
            MemorySegment ro = reference.allocate(arena, n), go = gpu.allocate(arena, n);
            op.run(reference, n, ri, ro);
            op.run(gpu, n, gi, go);
            double[] expected = read(ro, n), actual = read(go, n);
            double relative = elementwiseRelative(expected, actual);
            long exact = 0;
            for (int i = 0; i < n; i++) if (Double.compare(expected[i], actual[i]) == 0) exact++;
            boolean ok = relative <= TOLERANCE;
            if (!ok) disagreements++;
            row(name, String.valueOf(n), String.format(Locale.ROOT, "rel. diff %.2e, %.4f%% equal", relative, 100.0 * exact / n),
                    "vs reference, per value", ok ? "agrees" : "DISAGREES (> 1e-12)");
        }
    }

    private void elementwise(CudaBackend gpu) {
        int n = plan.elementwise;
        double[] x = uniform(1, n, -4, 4), y = uniform(2, n, 0.25, 3), z = uniform(3, n, -1, 1);
        double[] wide = uniform(4, n, -700, 700), t = uniform(5, n, -1, 1), tanhInput = uniform(6, n, -20, 20);
        double[] logInput = new double[n];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < n; i++) logInput[i] = Math.exp(r.nextDouble(-690, 690));
        tanhInput[0] = 0.0;
        tanhInput[1] = -0.0;
        tanhInput[2] = 1e-300;
        tanhInput[3] = 1e-9;
        elementwiseRow(gpu, "add", new double[][] {x, y}, (b, k, in, out) -> b.add(k, in[0], in[1], out));
        elementwiseRow(gpu, "sub", new double[][] {x, y}, (b, k, in, out) -> b.sub(k, in[0], in[1], out));
        elementwiseRow(gpu, "mul", new double[][] {x, y}, (b, k, in, out) -> b.mul(k, in[0], in[1], out));
        elementwiseRow(gpu, "div", new double[][] {x, y}, (b, k, in, out) -> b.div(k, in[0], in[1], out));
        elementwiseRow(gpu, "mulAdd (fused)", new double[][] {x, y, z}, (b, k, in, out) -> b.mulAdd(k, in[0], in[1], in[2], out));
        elementwiseRow(gpu, "scale", new double[][] {x}, (b, k, in, out) -> b.scale(k, -1.75, in[0], out));
        elementwiseRow(gpu, "addScalar", new double[][] {x}, (b, k, in, out) -> b.addScalar(k, 0.3, in[0], out));
        elementwiseRow(gpu, "square", new double[][] {x}, (b, k, in, out) -> b.square(k, in[0], out));
        elementwiseRow(gpu, "exp on [-700, 700]", new double[][] {wide}, (b, k, in, out) -> b.exp(k, in[0], out));
        elementwiseRow(gpu, "log on [1e-300, 1e300]", new double[][] {logInput}, (b, k, in, out) -> b.log(k, in[0], out));
        elementwiseRow(gpu, "tanh on [-20, 20]", new double[][] {tanhInput}, (b, k, in, out) -> b.tanh(k, in[0], out));
        for (int order = 1; order <= 3; order++) {
            int o = order;
            elementwiseRow(gpu, "tanhDerivative " + order, new double[][] {t}, (b, k, in, out) -> b.tanhDerivative(o, k, in[0], out));
        }
        elementwiseRow(gpu, "fill", new double[][] {x}, (b, k, in, out) -> b.fill(k, 2.5, out));
        elementwiseRow(gpu, "copy", new double[][] {x}, (b, k, in, out) -> b.copy(k, in[0], out));
        elementwiseRow(gpu, "in place: x = tanh(x)", new double[][] {x}, (b, k, in, out) -> {
            b.tanh(k, in[0], in[0]);
            b.copy(k, in[0], out);
        });
        int cols = 64, rows = n / cols;
        elementwiseRow(gpu, "addRowVector " + rows + "x" + cols, new double[][] {java.util.Arrays.copyOf(x, rows * cols)},
                (b, k, in, out) -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment v = on(b, arena, uniform(8, cols, -1, 1));
                        b.addRowVector(rows, cols, in[0], v, out);
                    }
                });
    }

    /** tanhJet's blocks as the seam specifies: t, d1·a_k, d1·c + d2·a1², with d1 = 1 − t², d2 = −2t·d1. */
    static double[] tanhJetExpected(int n, int d, double[] z) {
        double[] out = new double[z.length];
        int second = (d + 1) * n;
        for (int i = 0; i < n; i++) {
            double t = Math.tanh(z[i]), d1 = 1 - t * t, d2 = -2 * t * d1, a1 = z[n + i];
            out[i] = t;
            for (int k = 1; k <= d; k++) out[k * n + i] = d1 * z[k * n + i];
            out[second + i] = d1 * z[second + i] + d2 * (a1 * a1);
        }
        return out;
    }

    /** tanhJetBackward's blocks as the seam specifies them, in its order of additions. */
    static double[] tanhJetBackwardExpected(int n, int d, double[] z, double[] y, double[] g) {
        double[] out = new double[z.length];
        int second = (d + 1) * n;
        for (int i = 0; i < n; i++) {
            double t = y[i], d1 = 1 - t * t, d2 = -2 * t * d1, d3 = -2 * d1 * (1 - 3 * t * t);
            double a1 = z[n + i], c = z[second + i], gc = g[second + i];
            double sum = g[i] * d1;
            for (int k = 1; k <= d; k++) sum = sum + (g[k * n + i] * z[k * n + i]) * d2;
            out[i] = sum + gc * (c * d2 + (a1 * a1) * d3);
            out[n + i] = g[n + i] * d1 + 2 * ((gc * a1) * d2);
            for (int k = 2; k <= d; k++) out[k * n + i] = g[k * n + i] * d1;
            out[second + i] = gc * d1;
        }
        return out;
    }

    /** The largest normwise difference over the d + 2 blocks of a stacked jet. */
    private static double perBlock(int n, double[] expected, double[] actual) {
        double worst = 0;
        for (int from = 0; from < expected.length; from += n) {
            worst = Math.max(worst, normwise(java.util.Arrays.copyOfRange(expected, from, from + n),
                    java.util.Arrays.copyOfRange(actual, from, from + n)));
        }
        return worst;
    }

    private void jetRules(CudaBackend gpu) {
        int n = plan.elementwise / 6;
        for (int d : new int[] {2, 4}) {
            int size = (d + 2) * n;
            double[] z = uniform(40 + d, size, -3, 3), g = uniform(50 + d, size, -1, 1);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment gz = on(gpu, arena, z), gy = gpu.allocate(arena, size), gg = on(gpu, arena, g), go = gpu.allocate(arena, size);
                gpu.tanhJet(n, d, gz, gy);
                double[] y = read(gy, size);
                agreementRow("tanhJet (fused), " + d + " directions", n + "x" + (d + 2), perBlock(n, tanhJetExpected(n, d, z), y),
                        "vs the seam's formula, per block");
                gpu.tanhJetBackward(n, d, gz, gy, gg, go);
                // from the GPU's own forward values, so that only the backward kernel is compared
                agreementRow("tanhJetBackward (fused), " + d + " directions", n + "x" + (d + 2),
                        perBlock(n, tanhJetBackwardExpected(n, d, z, y, g), read(go, size)), "vs the seam's formula, per block");
            }
        }
    }

    private void sums(CudaBackend gpu) {
        int s = plan.gemmScale;
        int[][] shapes = {{262_144 / s, 1}, {100_000 / s, 64}, {200, 64}, {64, 100_000 / s}, {1, 1_000_000 / s}, {262_144 / s, 4}};
        long seed = 300;
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1];
            try (Arena arena = Arena.ofConfined()) {
                double[] x = uniform(seed++, rows * cols, -1, 1);
                MemorySegment rx = on(reference, arena, x), gx = on(gpu, arena, x);
                MemorySegment rc = reference.allocate(arena, cols), gc = gpu.allocate(arena, cols);
                reference.columnSums(rows, cols, rx, rc);
                gpu.columnSums(rows, cols, gx, gc);
                agreementRow("columnSums", rows + "x" + cols, normwise(read(rc, cols), read(gc, cols)), "vs reference");
                MemorySegment rr = reference.allocate(arena, rows), gr = gpu.allocate(arena, rows);
                reference.rowSums(rows, cols, rx, rr);
                gpu.rowSums(rows, cols, gx, gr);
                agreementRow("rowSums", rows + "x" + cols, normwise(read(rr, rows), read(gr, rows)), "vs reference");
            }
        }
    }

    private void adam(CudaBackend gpu) {
        int n = plan.elementwise;
        for (long step : new long[] {1, 1000}) {
            try (Arena arena = Arena.ofConfined()) {
                double[] p = uniform(1, n, -1, 1), g = uniform(2, n, -1, 1), m = uniform(3, n, -0.1, 0.1), v = uniform(4, n, 0, 0.1);
                MemorySegment[] rs = {on(reference, arena, p), on(reference, arena, g), on(reference, arena, m), on(reference, arena, v)};
                MemorySegment[] gs = {on(gpu, arena, p), on(gpu, arena, g), on(gpu, arena, m), on(gpu, arena, v)};
                AdamConfig config = AdamConfig.withLearningRate(1e-3);
                reference.adam(n, rs[0], rs[1], rs[2], rs[3], config, step);
                gpu.adam(n, gs[0], gs[1], gs[2], gs[3], config, step);
                double worst = 0;
                for (int i = 0; i < 4; i += 1) if (i != 1) worst = Math.max(worst, elementwiseRelative(read(rs[i], n), read(gs[i], n)));
                agreementRow("adam, step " + step + " (params, moments)", String.valueOf(n), worst, "vs reference, per value");
            }
        }
    }

    private void mlpForward(CudaBackend gpu, VectorBackend cpu) {
        int points = plan.composite;
        int[] sizes = {2, 64, 64, 64, 64, 1};
        double[] inputs = uniform(11, points * 2, -1, 1);
        double[][] outputs = new double[2][];
        Backend[] backends = {cpu, gpu};
        for (int i = 0; i < 2; i++) {
            try (Mlp mlp = new Mlp(backends[i], sizes, 7); Tape tape = new Tape(backends[i])) {
                outputs[i] = mlp.forward(tape, tape.tensor(points, 2, inputs)).toArray();
            }
        }
        agreementRow("MLP forward 2-64x4-1 (tanh)", String.valueOf(points), normwise(outputs[0], outputs[1]), "vs cpu-simd");
    }

    private static OptionPoints randomPoints(Domain domain, long count, long seed) {
        int n = Math.toIntExact(count);
        SplittableRandom r = new SplittableRandom(seed);
        double[] m = new double[n], tau = new double[n], vol = new double[n], rate = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = r.nextDouble(domain.minMoneyness(), domain.maxMoneyness());
            tau[i] = r.nextDouble(domain.minExpiry(), domain.maxExpiry());
            vol[i] = r.nextDouble(domain.minVol(), domain.maxVol());
            rate[i] = r.nextDouble(domain.minRate(), domain.maxRate());
        }
        return new OptionPoints(m, tau, vol, rate);
    }

    private void priceJet(CudaBackend gpu, VectorBackend cpu) throws Exception {
        Backend[] backends = {cpu, gpu};
        double[][][] results = new double[2][][];
        OptionPoints points = null;
        for (int i = 0; i < 2; i++) {
            try (PricingNetwork network = DefaultModel.open(backends[i]); Tape tape = new Tape(backends[i])) {
                if (points == null) points = randomPoints(network.domain(), plan.composite, 12);
                Jet jet = network.priceJet(tape, points, PricingNetwork.ALL_DIRECTIONS);
                results[i] = new double[][] {jet.value().toArray(), jet.tangent(0).toArray(), jet.tangent(1).toArray(),
                        jet.tangent(2).toArray(), jet.tangent(3).toArray(), jet.second().toArray()};
            }
        }
        String[] names = {"price", "d/dm", "d/dtau", "d/dvol", "d/drate", "d2/dm2"};
        double worst = 0;
        StringBuilder each = new StringBuilder();
        for (int c = 0; c < names.length; c++) {
            double rel = normwise(results[0][c], results[1][c]);
            worst = Math.max(worst, rel);
            if (rel > TOLERANCE) each.append(' ').append(names[c]);
        }
        agreementRow("price jet (default model, 4 directions)" + (each.isEmpty() ? "" : ":" + each), String.valueOf(points.size()), worst,
                "vs cpu-simd, each output");
    }

    /** What one training step produced: loss terms, the gradient, the parameters after the Adam update. */
    private record StepResult(double pde, double boundary, double[] gradient, double[] parameters) {}

    /** One Adam step of the PINN loss, as Trainer runs it (jets for the residual, reverse mode for the weights). */
    private static StepResult trainingStep(PricingNetwork network, Adam adam, OptionPoints interior, OptionPoints boundary,
                                           Workspace workspace, boolean read) {
        Backend backend = network.mlp().backend();
        Backend device = backend instanceof TimedBackend timed ? timed.inner : backend;
        try (Tape tape = new Tape(backend, workspace)) {
            Jet v = network.priceJet(tape, interior, BlackScholesPde.DIRECTIONS);
            Tensor pde = tape.mean(tape.square(BlackScholesPde.residual(tape, v, interior)));
            Tensor boundaryLoss = tape.mean(tape.square(network.networkOutput(tape, boundary)));
            Tensor total = tape.add(pde, boundaryLoss);
            List<Tensor> gradients = tape.grad(total, network.mlp().parameters());
            double[] gradient = null;
            if (read) {
                if (device instanceof CudaBackend cuda && !cuda.synchronizesEachOp()) cuda.synchronize();
                List<double[]> parts = new ArrayList<>();
                for (Tensor g : gradients) parts.add(g.toArray());
                gradient = concat(parts);
            }
            adam.step(gradients, 1e-3);
            if (device instanceof CudaBackend cuda && !cuda.synchronizesEachOp()) cuda.synchronize();
            if (!read) return null;
            return new StepResult(pde.item(), boundaryLoss.item(), gradient, network.mlp().exportParameters());
        }
    }

    private static double[] concat(List<double[]> parts) {
        int n = 0;
        for (double[] p : parts) n += p.length;
        double[] all = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /**
     * One step from fresh weights (a seeded initialisation: a loss far from its minimum) or from
     * the trained default model (a tiny loss, the difference of nearly equal terms).
     */
    private static StepResult oneStep(Backend backend, int points, boolean trained) throws Exception {
        try (PricingNetwork network = trained ? DefaultModel.open(backend)
                : PricingNetwork.initialise(backend, TrainingConfig.DEFAULT_DOMAIN, new int[] {64, 64, 64, 64}, 3)) {
            Collocation collocation = new Collocation(Collocation.widen(network.domain()), 5);
            OptionPoints interior = collocation.interior(points), boundary = collocation.boundary(Math.max(16, points / 16));
            Adam adam = new Adam(network.mlp(), AdamConfig.withLearningRate(1e-3));
            return trainingStep(network, adam, interior, boundary, null, true);
        }
    }

    private static double stepDifference(StepResult expected, StepResult actual) {
        double loss = Math.max(Math.abs(actual.pde - expected.pde) / Math.abs(expected.pde),
                Math.abs(actual.boundary - expected.boundary) / Math.max(Math.abs(expected.boundary), Double.MIN_NORMAL));
        return Math.max(loss, Math.max(normwise(expected.gradient, actual.gradient), normwise(expected.parameters, actual.parameters)));
    }

    private void trainingStep(CudaBackend gpu, VectorBackend cpu, CudaProbe.Options options) throws Exception {
        int points = plan.composite;
        StepResult onCpu = oneStep(cpu, points, false), onGpu = oneStep(gpu, points, false);
        double lossRel = Math.max(Math.abs(onGpu.pde - onCpu.pde) / Math.abs(onCpu.pde),
                Math.abs(onGpu.boundary - onCpu.boundary) / Math.max(Math.abs(onCpu.boundary), Double.MIN_NORMAL));
        agreementRow("training step: loss terms", String.valueOf(points), lossRel, "vs cpu-simd");
        agreementRow("training step: gradient (all weights)", String.valueOf(points), normwise(onCpu.gradient, onGpu.gradient), "vs cpu-simd");
        agreementRow("training step: weights after Adam", String.valueOf(points), normwise(onCpu.parameters, onGpu.parameters),
                "vs cpu-simd");

        // The trained model's loss is a small difference of large terms: any change in the order of
        // additions moves it far more than 1e-12, between the two CPU backends too. Shown, not gated.
        StepResult trainedCpu = oneStep(cpu, points, true), trainedGpu = oneStep(gpu, points, true);
        StepResult trainedReference = oneStep(reference, points, true);
        row("training step from the trained model", String.valueOf(points),
                String.format(Locale.ROOT, "rel. diff %.2e vs cpu-simd", stepDifference(trainedCpu, trainedGpu)),
                String.format(Locale.ROOT, "cpu-simd vs reference %.2e", stepDifference(trainedReference, trainedCpu)),
                "info: ill-conditioned, not gated");

        CudaProbe.Outcome second = plan.emulate ? new CudaProbe(new EmulatedCuda(), options.withSynchronizeEachOp(false)).run()
                : new CudaProbe(pinn.kernels.cuda.CudaLibraries.system(), options.withSynchronizeEachOp(false)).run();
        if (!(second instanceof CudaProbe.Usable usable)) {
            disagreements++;
            row("training step, deferred sync", String.valueOf(points), "unavailable", "", "FAILED: " + ((CudaProbe.Unusable) second).logLine());
            return;
        }
        try (CudaBackend deferred = usable.backend()) {
            StepResult d = oneStep(deferred, points, false);
            boolean identical = java.util.Arrays.equals(d.gradient, onGpu.gradient) && java.util.Arrays.equals(d.parameters, onGpu.parameters)
                    && d.pde == onGpu.pde && d.boundary == onGpu.boundary;
            if (!identical) disagreements++;
            row("training step, deferred sync", String.valueOf(points), String.format(Locale.ROOT, "rel. diff %.2e", stepDifference(onGpu, d)),
                    "vs synchronised GPU step", identical ? "identical" : "DIFFERS (must be bit for bit)");
            deferredAgrees = identical;
        }
    }

    private boolean deferredAgrees;

    // ---- timings ----

    /** Counts the time spent inside backend calls, to split host work from device work. */
    static final class TimedBackend implements Backend {
        final Backend inner;
        long nanos, calls;

        TimedBackend(Backend inner) {
            this.inner = inner;
        }

        private void add(long since) {
            nanos += System.nanoTime() - since;
            calls++;
        }

        @Override public String name() { return inner.name(); }
        @Override public MemorySegment allocate(Arena arena, long elements) { long t = System.nanoTime(); try { return inner.allocate(arena, elements); } finally { add(t); } }
        @Override public void gemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean acc) { long t = System.nanoTime(); inner.gemm(m, n, k, a, b, c, acc); add(t); }
        @Override public void gemmTransA(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean acc) { long t = System.nanoTime(); inner.gemmTransA(m, n, k, a, b, c, acc); add(t); }
        @Override public void gemmTransB(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean acc) { long t = System.nanoTime(); inner.gemmTransB(m, n, k, a, b, c, acc); add(t); }
        @Override public void gemmBias(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) { long t = System.nanoTime(); inner.gemmBias(m, n, k, a, b, bias, c); add(t); }
        @Override public void add(int n, MemorySegment x, MemorySegment y, MemorySegment out) { long t = System.nanoTime(); inner.add(n, x, y, out); add(t); }
        @Override public void sub(int n, MemorySegment x, MemorySegment y, MemorySegment out) { long t = System.nanoTime(); inner.sub(n, x, y, out); add(t); }
        @Override public void mul(int n, MemorySegment x, MemorySegment y, MemorySegment out) { long t = System.nanoTime(); inner.mul(n, x, y, out); add(t); }
        @Override public void div(int n, MemorySegment x, MemorySegment y, MemorySegment out) { long t = System.nanoTime(); inner.div(n, x, y, out); add(t); }
        @Override public void mulAdd(int n, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out) { long t = System.nanoTime(); inner.mulAdd(n, x, y, z, out); add(t); }
        @Override public void scale(int n, double alpha, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.scale(n, alpha, x, out); add(t); }
        @Override public void addScalar(int n, double alpha, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.addScalar(n, alpha, x, out); add(t); }
        @Override public void square(int n, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.square(n, x, out); add(t); }
        @Override public void exp(int n, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.exp(n, x, out); add(t); }
        @Override public void log(int n, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.log(n, x, out); add(t); }
        @Override public void tanh(int n, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.tanh(n, x, out); add(t); }
        @Override public void tanhDerivative(int order, int n, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.tanhDerivative(order, n, x, out); add(t); }
        @Override public void fill(int n, double value, MemorySegment out) { long t = System.nanoTime(); inner.fill(n, value, out); add(t); }
        @Override public void copy(int n, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.copy(n, x, out); add(t); }
        @Override public void addRowVector(int rows, int cols, MemorySegment x, MemorySegment v, MemorySegment out) { long t = System.nanoTime(); inner.addRowVector(rows, cols, x, v, out); add(t); }
        @Override public void columnSums(int rows, int cols, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.columnSums(rows, cols, x, out); add(t); }
        @Override public void rowSums(int rows, int cols, MemorySegment x, MemorySegment out) { long t = System.nanoTime(); inner.rowSums(rows, cols, x, out); add(t); }
        @Override public void adam(int n, MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, AdamConfig c, long step) { long t = System.nanoTime(); inner.adam(n, p, g, m, v, c, step); add(t); }
        // The seam's jet rules, where it has them (declared without @Override so that this compiles
        // either way): forwarded to the inner backend's own, so the GPU's fused kernels are timed.
        private java.lang.invoke.MethodHandle tanhJet, tanhJetBackward;

        public void tanhJet(int n, int directions, MemorySegment z, MemorySegment out) {
            long t = System.nanoTime();
            try {
                if (tanhJet == null) tanhJet = java.lang.invoke.MethodHandles.publicLookup().findVirtual(inner.getClass(), "tanhJet",
                        java.lang.invoke.MethodType.methodType(void.class, int.class, int.class, MemorySegment.class, MemorySegment.class));
                tanhJet.invoke(inner, n, directions, z, out);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            add(t);
        }

        public void tanhJetBackward(int n, int directions, MemorySegment z, MemorySegment y, MemorySegment g, MemorySegment out) {
            long t = System.nanoTime();
            try {
                if (tanhJetBackward == null) tanhJetBackward = java.lang.invoke.MethodHandles.publicLookup().findVirtual(inner.getClass(),
                        "tanhJetBackward", java.lang.invoke.MethodType.methodType(void.class, int.class, int.class, MemorySegment.class,
                                MemorySegment.class, MemorySegment.class, MemorySegment.class));
                tanhJetBackward.invoke(inner, n, directions, z, y, g, out);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            add(t);
        }
    }

    private void timings(CudaBackend gpu, VectorBackend cpu) throws Exception {
        System.out.println();
        gemmThroughput(gpu, cpu);
        pricing(gpu, cpu, BenchModels.DEFAULT, plan.priceSizes);
        pricing(gpu, cpu, BenchModels.WIDE, new long[] {plan.widePriceSize});
        training(gpu, cpu, BenchModels.DEFAULT, plan.trainSizes);
        training(gpu, cpu, BenchModels.WIDE, new int[] {plan.wideTrainSize});
    }

    private void gemmThroughput(CudaBackend gpu, VectorBackend cpu) {
        int m = 65_536 / plan.gemmScale, n = 64, k = 64;
        double flops = 2.0 * m * n * k;
        String[] cells = new String[2];
        Backend[] backends = {gpu, cpu};
        for (int i = 0; i < 2; i++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = on(backends[i], arena, uniform(1, m * k, -1, 1)), b = on(backends[i], arena, uniform(2, k * n, -1, 1));
                MemorySegment c = backends[i].allocate(arena, (long) m * n);
                backends[i].gemm(m, n, k, a, b, c, false);
                int reps = 20;
                long t = System.nanoTime();
                for (int r = 0; r < reps; r++) backends[i].gemm(m, n, k, a, b, c, false);
                double seconds = (System.nanoTime() - t) / 1e9 / reps;
                cells[i] = String.format(Locale.ROOT, "%.1f GFLOP/s (%.3f ms)", flops / seconds / 1e9, seconds * 1e3);
            }
        }
        row("DGEMM A·B, synchronised", m + "x" + n + "x" + k, cells[0], cells[1], "");
    }

    /** Prices and all Greeks of {@code count} options in chunks; returns {wall seconds, seconds inside the backend}. */
    private static double[] priceBatch(TimedBackend backend, PricingNetwork network, OptionPoints all, int chunk) {
        long start = System.nanoTime();
        long inside = backend.nanos;
        int n = all.size();
        double checksum = 0;
        try (Workspace workspace = new Workspace(backend)) {
            for (int from = 0; from < n; from += chunk) {
                int to = Math.min(n, from + chunk);
                OptionPoints part = new OptionPoints(java.util.Arrays.copyOfRange(all.moneyness(), from, to),
                        java.util.Arrays.copyOfRange(all.expiry(), from, to), java.util.Arrays.copyOfRange(all.vol(), from, to),
                        java.util.Arrays.copyOfRange(all.rate(), from, to));
                try (Tape tape = new Tape(backend, workspace)) {
                    Jet jet = network.priceJet(tape, part, PricingNetwork.ALL_DIRECTIONS);
                    checksum += jet.value().toArray()[0] + jet.tangent(0).toArray()[0] + jet.tangent(1).toArray()[0]
                            + jet.tangent(2).toArray()[0] + jet.tangent(3).toArray()[0] + jet.second().toArray()[0];
                }
            }
        }
        if (Double.isNaN(checksum)) throw new IllegalStateException("NaN prices");
        return new double[] {(System.nanoTime() - start) / 1e9, (backend.nanos - inside) / 1e9};
    }

    /** The check's name for a row of {@code model}: the default model's rows carry no suffix. */
    private static String label(String check, String model) {
        return model.equals(BenchModels.DEFAULT) ? check : check + ": " + model + " model";
    }

    private void pricing(CudaBackend gpu, VectorBackend cpu, String model, long[] sizes) throws Exception {
        TimedBackend timedGpu = new TimedBackend(gpu), timedCpu = new TimedBackend(cpu);
        ModelFile file = BenchModels.file(model);
        String check = label("price + Greeks, batch", model);
        try (PricingNetwork onGpu = PricingNetwork.fromModelFile(timedGpu, file);
             PricingNetwork onCpu = PricingNetwork.fromModelFile(timedCpu, file)) {
            priceBatch(timedGpu, onGpu, randomPoints(onGpu.domain(), 4096, 1), CHUNK); // warm-up: JIT, first touch
            priceBatch(timedCpu, onCpu, randomPoints(onCpu.domain(), 4096, 1), CPU_CHUNK);
            for (long count : sizes) {
                if (overBudget()) {
                    row(check, String.valueOf(count), "skipped: time budget spent", "", "");
                    continue;
                }
                OptionPoints points = randomPoints(onGpu.domain(), count, count);
                double[] g = priceBatch(timedGpu, onGpu, points, CHUNK);
                String gpuCell = String.format(Locale.ROOT, "%.2f M/s (%.3f s, %.0f%% in backend)", count / g[0] / 1e6, g[0], 100 * g[1] / g[0]);
                String cpuCell = "not run";
                if (count <= plan.cpuPriceMax && !overBudget()) {
                    double[] c = priceBatch(timedCpu, onCpu, points, CPU_CHUNK);
                    cpuCell = String.format(Locale.ROOT, "%.2f M/s (%.3f s)", count / c[0] / 1e6, c[0]);
                }
                String target = count == 10_000_000 ? (count / g[0] >= 100e6 ? "target >= 100 M/s met" : "target >= 100 M/s missed") : "";
                row(check, String.valueOf(count), gpuCell, cpuCell, target);
            }
        }
    }

    /** Mean wall seconds of {@code steps} training steps (after one warm-up), and the share inside the backend. */
    private static double[] timeSteps(TimedBackend backend, ModelFile model, int points, int steps, long[] opsPerStep) throws Exception {
        try (PricingNetwork network = PricingNetwork.fromModelFile(backend, model); Workspace workspace = new Workspace(backend)) {
            Collocation collocation = new Collocation(Collocation.widen(network.domain()), 5);
            OptionPoints interior = collocation.interior(points), boundary = collocation.boundary(Math.max(16, points / 16));
            Adam adam = new Adam(network.mlp(), AdamConfig.withLearningRate(1e-3));
            trainingStep(network, adam, interior, boundary, workspace, false);
            long calls = backend.calls, inside = backend.nanos, start = System.nanoTime();
            for (int s = 0; s < steps; s++) trainingStep(network, adam, interior, boundary, workspace, false);
            double wall = (System.nanoTime() - start) / 1e9 / steps;
            opsPerStep[0] = (backend.calls - calls) / steps;
            return new double[] {wall, (backend.nanos - inside) / 1e9 / steps};
        }
    }

    private void training(CudaBackend gpu, VectorBackend cpu, String model, int[] sizes) throws Exception {
        TimedBackend timedGpu = new TimedBackend(gpu), timedCpu = new TimedBackend(cpu);
        ModelFile file = BenchModels.file(model);
        String check = label("training step (Adam)", model), deferredCheck = label("training step, deferred sync", model);
        CudaBackend deferred = null;
        if (deferredAgrees) {
            CudaProbe.Outcome o = plan.emulate
                    ? new CudaProbe(new EmulatedCuda(), CudaProbe.Options.fromSystemProperties().withSynchronizeEachOp(false)).run()
                    : new CudaProbe(pinn.kernels.cuda.CudaLibraries.system(), CudaProbe.Options.fromSystemProperties().withSynchronizeEachOp(false)).run();
            if (o instanceof CudaProbe.Usable u) deferred = u.backend();
        }
        try {
            for (int points : sizes) {
                if (overBudget()) {
                    row(check, String.valueOf(points), "skipped: time budget spent", "", "");
                    continue;
                }
                long[] ops = new long[1];
                CudaBackend.Stats before = gpu.stats();
                double[] g = timeSteps(timedGpu, file, points, 5, ops);
                CudaBackend.Stats after = gpu.stats();
                String gpuCell = String.format(Locale.ROOT, "%.2f ms (%.0f%% in backend, %d ops)", g[0] * 1e3, 100 * g[1] / g[0], ops[0]);
                String cpuCell = "not run";
                if (points <= plan.cpuTrainMax && !overBudget()) {
                    double[] c = timeSteps(timedCpu, file, points, 3, new long[1]);
                    cpuCell = String.format(Locale.ROOT, "%.2f ms", c[0] * 1e3);
                }
                String target = points == 65_536 ? (g[0] <= 5e-3 ? "target <= 5 ms met" : "target <= 5 ms missed") : "";
                row(check, String.valueOf(points), gpuCell, cpuCell, target);
                long launches = (after.kernelLaunches() - before.kernelLaunches()) / 6, gemms = (after.gemms() - before.gemms()) / 6;
                if (points == sizes[0]) {
                    row("  per step: kernels, GEMMs", String.valueOf(points), launches + " kernels, " + gemms + " GEMMs", "", "");
                }
                if (deferred != null && !overBudget()) {
                    double[] d = timeSteps(new TimedBackend(deferred), file, points, 5, new long[1]);
                    row(deferredCheck, String.valueOf(points),
                            String.format(Locale.ROOT, "%.2f ms", d[0] * 1e3), "", points == 65_536 ? (d[0] <= 5e-3 ? "target <= 5 ms met" : "target <= 5 ms missed") : "");
                }
            }
        } finally {
            if (deferred != null) deferred.close();
        }
    }
}
