package pinn.kernels.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.ludovic.netlib.blas.JavaBLAS;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The emulator's {@code cublasDgemm_v2} has the semantics of BLAS DGEMM, which cuBLAS documents as
 * its own: column-major operands, op(A) of m×k and op(B) of k×n, leading dimensions that may pad
 * the columns, C = alpha·op(A)·op(B) + beta·C, and C not read when beta is 0. The oracle is an
 * independent BLAS (netlib's pure-Java port, dev.ludovic.netlib). Every GEMM test of
 * {@link CudaBackend} runs against this emulator, so without this check the backend's row-major
 * operand swap and the emulator could share one misreading of the cuBLAS contract and pass
 * together, to fail on a real GPU.
 */
class EmulatedDgemmBlasSemanticsTest {

    /** One DGEMM call: shapes, transposes, the padding of each leading dimension, scalars, and a seed for the data. */
    private record Call(boolean transA, boolean transB, int m, int n, int k, int padA, int padB, int padC, double alpha,
                        double beta, long seed) {
        int lda() { return (transA ? k : m) + padA; }
        int ldb() { return (transB ? n : k) + padB; }
        int ldc() { return m + padC; }
        int aSize() { return lda() * (transA ? m : k); }
        int bSize() { return ldb() * (transB ? k : n); }
        int cSize() { return ldc() * n; }
    }

    /** Held so that its level stays set: the library warns, harmlessly, that it found no native BLAS. */
    private static final Logger NETLIB_LOG = Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");

    @BeforeAll
    static void quietNetlib() {
        NETLIB_LOG.setLevel(Level.SEVERE);
    }

    private static final Gen<Call> CALLS = integers().between(0, 3)
            .zip(integers().between(1, 40), integers().between(1, 40), integers().between(1, 40),
                    (form, m, n, k) -> new int[] {form, m, n, k})
            .zip(integers().between(0, 3), integers().between(0, 3), integers().between(0, 3),
                    (shape, padA, padB, padC) -> new int[] {shape[0], shape[1], shape[2], shape[3], padA, padB, padC})
            .zip(doubles().between(-2, 2), doubles().between(-2, 2).mix(Generate.constant(0.0)), longs().all(),
                    (s, alpha, beta, seed) -> new Call((s[0] & 1) != 0, (s[0] & 2) != 0, s[1], s[2], s[3], s[4], s[5], s[6],
                            alpha, beta, seed));

    @Test
    void emulatedDgemmMatchesBlasDgemmForEveryFormShapeAndLeadingDimension() {
        qt().withExamples(300).withFixedSeed(20261129L).forAll(CALLS).checkAssert(call -> {
            SplittableRandom random = new SplittableRandom(call.seed());
            double[] a = values(random, call.aSize()), b = values(random, call.bSize()), c = values(random, call.cSize());
            double[] expected = c.clone();
            JavaBLAS.getInstance().dgemm(call.transA() ? "T" : "N", call.transB() ? "T" : "N", call.m(), call.n(), call.k(),
                    call.alpha(), a, call.lda(), b, call.ldb(), call.beta(), expected, call.ldc());
            double[] actual = emulatedDgemm(call, a, b, c);
            double scale = 0, worst = 0;
            for (int i = 0; i < expected.length; i++) {
                scale = Math.max(scale, Math.abs(expected[i]));
                worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            }
            assertTrue(worst <= 1e-13 * scale, call + ": differs from BLAS by " + worst + " (scale " + scale + ")");
        });
    }

    @Test
    void betaZeroDoesNotReadC() {
        Call call = new Call(false, true, 3, 4, 5, 1, 0, 2, 1.5, 0.0, 7);
        SplittableRandom random = new SplittableRandom(call.seed());
        double[] a = values(random, call.aSize()), b = values(random, call.bSize()), c = new double[call.cSize()];
        java.util.Arrays.fill(c, Double.NaN);
        double[] actual = emulatedDgemm(call, a, b, c);
        double[] expected = new double[call.cSize()];
        JavaBLAS.getInstance().dgemm("N", "T", call.m(), call.n(), call.k(), call.alpha(), a, call.lda(), b, call.ldb(), 0.0,
                expected, call.ldc());
        for (int j = 0; j < call.n(); j++) {
            for (int i = 0; i < call.m(); i++) {
                int at = i + j * call.ldc();
                assertEquals(expected[at], actual[at], 1e-13, "C(" + i + "," + j + ") with beta 0 over a NaN C");
            }
        }
    }

    /**
     * The call through the cuBLAS entry point of a new emulator (a stray access leaves an emulator's
     * error sticky, as on a GPU, so one call's fault must not fail the next), on managed "device"
     * memory; returns C.
     */
    private static double[] emulatedDgemm(Call call, double[] a, double[] b, double[] c) {
        EmulatedCuda cuda = new EmulatedCuda();
        try (Arena arena = Arena.ofConfined()) {
            long aDevice = upload(cuda, arena, a), bDevice = upload(cuda, arena, b), cDevice = upload(cuda, arena, c);
            MemorySegment scalars = arena.allocate(JAVA_DOUBLE, 2);
            scalars.setAtIndex(JAVA_DOUBLE, 0, call.alpha());
            scalars.setAtIndex(JAVA_DOUBLE, 1, call.beta());
            int status = cuda.cublasDgemm_v2(MemorySegment.NULL, call.transA() ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N,
                    call.transB() ? Cublas.CUBLAS_OP_T : Cublas.CUBLAS_OP_N, call.m(), call.n(), call.k(), scalars,
                    MemorySegment.ofAddress(aDevice), call.lda(), MemorySegment.ofAddress(bDevice), call.ldb(),
                    scalars.asSlice(JAVA_DOUBLE.byteSize()), MemorySegment.ofAddress(cDevice), call.ldc());
            assertEquals(CudaStatus.CUBLAS_STATUS_SUCCESS, status, call.toString());
            double[] result = MemorySegment.ofAddress(cDevice).reinterpret(c.length * JAVA_DOUBLE.byteSize()).toArray(JAVA_DOUBLE);
            for (long device : new long[] {aDevice, bDevice, cDevice}) assertEquals(CudaStatus.SUCCESS, cuda.cuMemFree_v2(device));
            return result;
        }
    }

    private static long upload(EmulatedCuda cuda, Arena arena, double[] values) {
        MemorySegment out = arena.allocate(JAVA_LONG);
        assertEquals(CudaStatus.SUCCESS, cuda.cuMemAllocManaged(out, values.length * JAVA_DOUBLE.byteSize(), CudaDriver.CU_MEM_ATTACH_GLOBAL));
        long device = out.get(JAVA_LONG, 0);
        MemorySegment.copy(values, 0, MemorySegment.ofAddress(device).reinterpret(values.length * JAVA_DOUBLE.byteSize()), JAVA_DOUBLE, 0,
                values.length);
        return device;
    }

    private static double[] values(SplittableRandom random, int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) v[i] = random.nextDouble(-1, 1);
        return v;
    }
}
