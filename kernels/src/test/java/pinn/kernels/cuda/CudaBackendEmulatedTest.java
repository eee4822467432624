package pinn.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pinn.kernels.AdamConfig;
import pinn.kernels.Backend;
import pinn.kernels.ReferenceBackend;

/**
 * {@link CudaBackend}'s host side against {@link ReferenceBackend}, on the emulated driver and
 * cuBLAS: the row-major operand swap of every GEMM form, each kernel's launch arguments, the
 * chunked sums, staging of foreign memory, deferred synchronisation, and what happens after a
 * fault. The emulated kernels compute exactly the reference's formulas, so elementwise results
 * must be equal bit for bit; GEMM and two-pass sums add in another order (1e-13 relative).
 * {@link CudaBackendHostCompiledKernelsTest} runs the same tests with the CUDA C of native/ itself
 * as the kernels, where exp, log and tanh come from the host's C library instead of Java's Math.
 */
class CudaBackendEmulatedTest {

    private EmulatedCuda cuda;
    private CudaBackend gpu;
    private final ReferenceBackend reference = new ReferenceBackend();
    private Arena arena;

    /** The emulator the tests run on. */
    EmulatedCuda newEmulator() {
        return new EmulatedCuda();
    }

    /**
     * How far, relative, a result computed through exp, log or tanh may be from the reference's:
     * 0 (bit for bit) when the kernels call Java's Math, as the emulator's do.
     */
    double transcendentalTolerance() {
        return 0;
    }

    @BeforeEach
    void open() {
        cuda = newEmulator();
        gpu = ((CudaProbe.Usable) new CudaProbe(cuda, new CudaProbe.Options(0, true, false, true)).run()).backend();
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        arena.close();
        gpu.close();
        assertEquals(0, cuda.bytesAllocated(), "every device, managed and pinned byte is freed");
    }

    /** values on the given backend's memory. */
    private MemorySegment on(Backend backend, double[] values) {
        MemorySegment s = backend.allocate(arena, values.length);
        MemorySegment.copy(values, 0, s, JAVA_DOUBLE, 0, values.length);
        return s;
    }

    private static double[] read(MemorySegment s, int n) {
        double[] v = new double[n];
        MemorySegment.copy(s, JAVA_DOUBLE, 0, v, 0, n);
        return v;
    }

    private static double[] random(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    private static void assertClose(double[] expected, double[] actual, double relative, String what) {
        double scale = 0, worst = 0;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= relative * Math.max(scale, Double.MIN_NORMAL), what + ": max difference " + worst + " at scale " + scale);
    }

    private interface GemmCall {
        void run(Backend backend, int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate);
    }

    private void checkGemm(String form, GemmCall call) {
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {37, 29, 53}, {64, 1, 64}, {1, 64, 64}, {130, 64, 2}, {5, 3, 0}};
        long seed = 1;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean accumulate : new boolean[] {false, true}) {
                double[] a = random(seed++, m * k, -1, 1), b = random(seed++, k * n, -1, 1), c = random(seed++, m * n, -1, 1);
                MemorySegment rc = on(reference, c), gc = on(gpu, c);
                call.run(reference, m, n, k, on(reference, a), on(reference, b), rc, accumulate);
                call.run(gpu, m, n, k, on(gpu, a), on(gpu, b), gc, accumulate);
                assertClose(read(rc, m * n), read(gc, m * n), 1e-13, form + " " + m + "x" + n + "x" + k + (accumulate ? " accumulate" : ""));
            }
        }
    }

    @Test
    void gemmInEveryFormMatchesTheReference() {
        checkGemm("gemm", Backend::gemm);
        checkGemm("gemmTransA", Backend::gemmTransA);
        checkGemm("gemmTransB", Backend::gemmTransB);
        checkGemm("gemmBias", (backend, m, n, k, a, b, c, accumulate) -> {
            MemorySegment bias = on(backend, random(99, n, -1, 1));
            backend.gemmBias(m, n, k, a, b, bias, c);
        });
        assertTrue(gpu.stats().gemms() > 0);
    }

    private interface Elementwise {
        void run(Backend backend, int n, MemorySegment[] in, MemorySegment out);
    }

    private void checkExact(String what, double[][] inputs, Elementwise op) {
        check(what, inputs, op, 0);
    }

    /** Like {@link #checkExact}, each value within {@link #transcendentalTolerance()} of the reference's, relative. */
    private void checkTranscendental(String what, double[][] inputs, Elementwise op) {
        check(what, inputs, op, transcendentalTolerance());
    }

    private static void assertEachWithin(double[] expected, double[] actual, double relative, String what) {
        if (relative == 0) {
            assertArrayEquals(expected, actual, 0.0, what);
            return;
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= relative * Math.abs(expected[i]),
                    what + " [" + i + "]: " + actual[i] + " against " + expected[i]);
        }
    }

    private void check(String what, double[][] inputs, Elementwise op, double relative) {
        int n = inputs[0].length;
        MemorySegment[] ri = new MemorySegment[inputs.length], gi = new MemorySegment[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            ri[i] = on(reference, inputs[i]);
            gi[i] = on(gpu, inputs[i]);
        }
        MemorySegment ro = reference.allocate(arena, n), go = gpu.allocate(arena, n);
        op.run(reference, n, ri, ro);
        op.run(gpu, n, gi, go);
        assertEachWithin(read(ro, n), read(go, n), relative, what);
        // in place: out is the first input
        op.run(reference, n, ri, ri[0]);
        op.run(gpu, n, gi, gi[0]);
        assertEachWithin(read(ri[0], n), read(gi[0], n), relative, what + " in place");
    }

    @Test
    void elementwiseOpsEqualTheReferenceBitForBit() {
        int n = 1001;
        double[] x = random(1, n, -4, 4), y = random(2, n, 0.25, 3), z = random(3, n, -1, 1), t = random(4, n, -1, 1);
        checkExact("add", new double[][] {x, y}, (b, k, in, out) -> b.add(k, in[0], in[1], out));
        checkExact("sub", new double[][] {x, y}, (b, k, in, out) -> b.sub(k, in[0], in[1], out));
        checkExact("mul", new double[][] {x, y}, (b, k, in, out) -> b.mul(k, in[0], in[1], out));
        checkExact("div", new double[][] {x, y}, (b, k, in, out) -> b.div(k, in[0], in[1], out));
        checkExact("mulAdd", new double[][] {x, y, z}, (b, k, in, out) -> b.mulAdd(k, in[0], in[1], in[2], out));
        checkExact("scale", new double[][] {x}, (b, k, in, out) -> b.scale(k, -1.75, in[0], out));
        checkExact("addScalar", new double[][] {x}, (b, k, in, out) -> b.addScalar(k, 0.3, in[0], out));
        checkExact("square", new double[][] {x}, (b, k, in, out) -> b.square(k, in[0], out));
        checkTranscendental("exp", new double[][] {x}, (b, k, in, out) -> b.exp(k, in[0], out));
        checkTranscendental("log", new double[][] {y}, (b, k, in, out) -> b.log(k, in[0], out));
        checkTranscendental("tanh", new double[][] {x}, (b, k, in, out) -> b.tanh(k, in[0], out));
        for (int order = 1; order <= 3; order++) {
            int o = order;
            checkExact("tanh derivative " + order, new double[][] {t}, (b, k, in, out) -> b.tanhDerivative(o, k, in[0], out));
        }
        checkExact("fill", new double[][] {x}, (b, k, in, out) -> b.fill(k, 2.5, out));
        checkExact("copy", new double[][] {x}, (b, k, in, out) -> b.copy(k, in[0], out));
        assertThrows(IllegalArgumentException.class, () -> gpu.tanhDerivative(4, n, gpu.allocate(arena, n), gpu.allocate(arena, n)));
    }

    @Test
    void broadcastsAndSumsMatchTheReference() {
        int[][] shapes = {{1, 1}, {3, 7}, {256, 3}, {257, 3}, {1000, 2}, {70_000, 1}, {2, 1000}, {1, 70_000}, {300, 300}};
        long seed = 10;
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1];
            double[] x = random(seed++, rows * cols, -1, 1), v = random(seed++, cols, -1, 1);
            MemorySegment rx = on(reference, x), gx = on(gpu, x);
            MemorySegment ro = reference.allocate(arena, (long) rows * cols), go = gpu.allocate(arena, (long) rows * cols);
            reference.addRowVector(rows, cols, rx, on(reference, v), ro);
            gpu.addRowVector(rows, cols, gx, on(gpu, v), go);
            assertArrayEquals(read(ro, rows * cols), read(go, rows * cols), 0.0, "addRowVector " + rows + "x" + cols);

            MemorySegment rc = reference.allocate(arena, cols), gc = gpu.allocate(arena, cols);
            reference.columnSums(rows, cols, rx, rc);
            gpu.columnSums(rows, cols, gx, gc);
            if (rows <= CudaBackend.CHUNK) assertArrayEquals(read(rc, cols), read(gc, cols), 0.0, "columnSums in one pass, exact");
            else assertClose(read(rc, cols), read(gc, cols), 1e-13, "columnSums " + rows + "x" + cols);

            MemorySegment rr = reference.allocate(arena, rows), gr = gpu.allocate(arena, rows);
            reference.rowSums(rows, cols, rx, rr);
            gpu.rowSums(rows, cols, gx, gr);
            if (cols <= CudaBackend.CHUNK) assertArrayEquals(read(rr, rows), read(gr, rows), 0.0, "rowSums in one pass, exact");
            else assertClose(read(rr, rows), read(gr, rows), 1e-13, "rowSums " + rows + "x" + cols);
        }
    }

    @Test
    void emptyExtentsFollowTheReference() {
        MemorySegment out = gpu.allocate(arena, 4);
        gpu.fill(4, 7, out);
        gpu.columnSums(0, 4, gpu.allocate(arena, 0), out);
        assertArrayEquals(new double[] {0, 0, 0, 0}, read(out, 4), 0.0, "sums over no rows are zero");
        gpu.fill(4, 7, out);
        gpu.rowSums(4, 0, gpu.allocate(arena, 0), out);
        assertArrayEquals(new double[] {0, 0, 0, 0}, read(out, 4), 0.0, "sums over no columns are zero");
        gpu.fill(4, 7, out);
        gpu.gemm(2, 2, 0, gpu.allocate(arena, 0), gpu.allocate(arena, 0), out, true);
        assertArrayEquals(new double[] {7, 7, 7, 7}, read(out, 4), 0.0, "k = 0 accumulates nothing");
        gpu.gemm(2, 2, 0, gpu.allocate(arena, 0), gpu.allocate(arena, 0), out, false);
        assertArrayEquals(new double[] {0, 0, 0, 0}, read(out, 4), 0.0, "k = 0 overwrites with zeros");
        gpu.add(0, out, out, out);
    }

    /** tanhJet's blocks computed value by value as the seam specifies: tanh, tanh', tanh'', mul, square, add. */
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

    /**
     * Bit for bit where tanh is Java's; else within the transcendental tolerance, normwise: a tanh
     * one ulp off changes 1 − t² by up to 2.2e-16 absolute, which is large relative to 1 − t² itself
     * where |z| is large.
     */
    @Test
    void jetRulesFollowTheSeamsFormulasBitForBit() {
        for (int d : new int[] {1, 2, 4}) {
            int n = 333, size = (d + 2) * n;
            double[] z = random(20 + d, size, -2, 2), g = random(30 + d, size, -1, 1);
            MemorySegment gz = on(gpu, z), gy = gpu.allocate(arena, size), gg = on(gpu, g), go = gpu.allocate(arena, size);
            gpu.tanhJet(n, d, gz, gy);
            double[] y = tanhJetExpected(n, d, z);
            double[] gpuY = read(gy, size);
            if (transcendentalTolerance() == 0) assertArrayEquals(y, gpuY, 0.0, "tanhJet, " + d + " directions");
            else assertClose(y, gpuY, transcendentalTolerance(), "tanhJet, " + d + " directions");
            gpu.tanhJetBackward(n, d, gz, gy, gg, go);
            // from the GPU's own forward values, so that only the backward rule is compared
            assertArrayEquals(tanhJetBackwardExpected(n, d, z, gpuY, g), read(go, size), 0.0, "tanhJetBackward, " + d + " directions");
        }
        assertThrows(IllegalArgumentException.class, () -> gpu.tanhJet(3, 0, gpu.allocate(arena, 6), gpu.allocate(arena, 6)));
    }

    @Test
    void adamMatchesTheReferenceBitForBit() {
        int n = 777;
        double[] p = random(1, n, -1, 1), g = random(2, n, -1, 1), m = random(3, n, -0.1, 0.1), v = random(4, n, 0, 0.1);
        MemorySegment rp = on(reference, p), rg = on(reference, g), rm = on(reference, m), rv = on(reference, v);
        MemorySegment gp = on(gpu, p), gg = on(gpu, g), gm = on(gpu, m), gv = on(gpu, v);
        AdamConfig config = new AdamConfig(3e-3, 0.9, 0.999, 1e-8);
        for (long step = 1; step <= 3; step++) {
            reference.adam(n, rp, rg, rm, rv, config, step);
            gpu.adam(n, gp, gg, gm, gv, config, step);
        }
        assertArrayEquals(read(rp, n), read(gp, n), 0.0);
        assertArrayEquals(read(rm, n), read(gm, n), 0.0);
        assertArrayEquals(read(rv, n), read(gv, n), 0.0);
    }

    @Test
    void memoryIsZeroedAlignedAndFreedWithItsArena() {
        long before = gpu.managedBytesHeld();
        try (Arena scoped = Arena.ofConfined()) {
            MemorySegment s = gpu.allocate(scoped, 1000);
            assertEquals(8000, s.byteSize());
            assertEquals(0, s.address() % 64);
            for (int i = 0; i < 1000; i++) assertEquals(0.0, s.getAtIndex(JAVA_DOUBLE, i));
            assertEquals(before + 8000, gpu.managedBytesHeld());
        }
        assertEquals(before, gpu.managedBytesHeld());
    }

    @Test
    void foreignMemoryIsStagedAndStillCorrect() {
        int n = 500;
        double[] x = random(5, n, -2, 2), y = random(6, n, -2, 2);
        MemorySegment fx = arena.allocate(8L * n, 64), fy = arena.allocate(8L * n, 64);
        MemorySegment.copy(x, 0, fx, JAVA_DOUBLE, 0, n);
        MemorySegment.copy(y, 0, fy, JAVA_DOUBLE, 0, n);
        long stagedBefore = gpu.stats().stagedArguments();
        gpu.mul(n, fx, fy, fx); // in place, foreign
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = x[i] * y[i];
        assertArrayEquals(expected, read(fx, n), 0.0);
        assertEquals(stagedBefore + 2, gpu.stats().stagedArguments(), "x (also the output) and y were staged once each");

        int m = 9, k = 11, cols = 5;
        double[] a = random(7, m * k, -1, 1), b = random(8, k * cols, -1, 1);
        MemorySegment fa = arena.allocate(8L * m * k), gb = on(gpu, b), fc = arena.allocate(8L * m * cols);
        MemorySegment.copy(a, 0, fa, JAVA_DOUBLE, 0, a.length);
        gpu.gemm(m, cols, k, fa, gb, fc, false);
        MemorySegment rc = reference.allocate(arena, m * cols);
        reference.gemm(m, cols, k, on(reference, a), on(reference, b), rc, false);
        assertClose(read(rc, m * cols), read(fc, m * cols), 1e-13, "gemm with foreign A and C");
    }

    @Test
    void aSegmentTooShortForTheOpIsRefused() {
        MemorySegment small = gpu.allocate(arena, 4);
        assertThrows(IllegalArgumentException.class, () -> gpu.add(5, small, small, small));
        assertThrows(IllegalArgumentException.class, () -> gpu.add(5, arena.allocate(32), arena.allocate(32), arena.allocate(32)));
        assertTrue(gpu.failure().isEmpty(), "a caller's mistake is not a device failure");
        gpu.add(4, small, small, small);
    }

    @Test
    void deferredSynchronisationGivesTheSameResults() {
        CudaBackend deferred = ((CudaProbe.Usable) new CudaProbe(cuda, new CudaProbe.Options(0, false, false, true)).run()).backend();
        try (Arena scoped = Arena.ofConfined()) {
            int n = 300;
            double[] x = random(9, n, -1, 1);
            MemorySegment a = deferred.allocate(scoped, n), b = gpu.allocate(scoped, n);
            MemorySegment.copy(x, 0, a, JAVA_DOUBLE, 0, n);
            MemorySegment.copy(x, 0, b, JAVA_DOUBLE, 0, n);
            long syncs = deferred.stats().synchronizations();
            for (Backend backend : new Backend[] {deferred, gpu}) {
                MemorySegment s = backend == deferred ? a : b;
                backend.tanh(n, s, s);
                backend.scale(n, 3, s, s);
                backend.exp(n, s, s);
            }
            assertEquals(syncs, deferred.stats().synchronizations(), "no synchronisation per op");
            deferred.synchronize();
            assertArrayEquals(read(b, n), read(a, n), 0.0);
        } finally {
            deferred.close();
        }
    }

    @Test
    void afterAFaultTheBackendRefusesEveryCallAndSaysWhy() {
        int n = 64;
        MemorySegment x = on(gpu, random(1, n, -1, 1));
        gpu.tanh(n, x, x);
        cuda.faultingLaunch(2);
        gpu.exp(n, x, x);
        CudaException fault = assertThrows(CudaException.class, () -> gpu.tanh(n, x, x));
        assertEquals(CudaStatus.ERROR_ILLEGAL_ADDRESS, fault.status());
        assertTrue(gpu.failure().isPresent());
        CudaException refused = assertThrows(CudaException.class, () -> gpu.add(n, x, x, x));
        assertTrue(refused.getMessage().contains("failed earlier"), refused.getMessage());
        assertThrows(CudaException.class, () -> gpu.allocate(arena, 8));
    }

    @Test
    void closingTwiceIsHarmlessAndLiveMemoryOutlivesTheBackend() {
        Arena longLived = Arena.ofConfined();
        MemorySegment s = gpu.allocate(longLived, 10);
        s.setAtIndex(JAVA_DOUBLE, 3, 1.5);
        gpu.close();
        gpu.close();
        assertEquals(1.5, s.getAtIndex(JAVA_DOUBLE, 3), "memory stays valid until its arena closes");
        assertThrows(IllegalStateException.class, () -> gpu.fill(10, 0, s));
        longLived.close();
    }
}
