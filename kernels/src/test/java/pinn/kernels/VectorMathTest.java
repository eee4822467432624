package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinn.kernels.TestData.get;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The accuracy that {@link VectorMath} documents, measured against {@link StrictMath} (fdlibm,
 * itself within 1 ulp of the exact result) over the whole double range: exp and log within 1
 * ulp, tanh within 2 ulps and 2.3e-16 absolute; and the special values of {@link Math}.
 */
class VectorMathTest {

    private static final int SAMPLES = 400_000;
    private static VectorBackend backend;

    @BeforeAll
    static void start() {
        backend = new VectorBackend(1);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @FunctionalInterface
    interface Op {
        void run(int n, MemorySegment x, MemorySegment out);
    }

    /** Asserts that op is within {@code limit} ulps of exact on every input. */
    private static void assertWithinUlps(double limit, double[] inputs, Op op, DoubleUnaryOperator exact) {
        double worst = 0, worstX = Double.NaN;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = TestData.of(arena, inputs), out = arena.allocate(inputs.length * 8L, 64);
            op.run(inputs.length, x, out);
            for (int i = 0; i < inputs.length; i++) {
                double ulps = TestData.ulps(get(out, i), exact.applyAsDouble(inputs[i]));
                assertTrue(ulps < Double.POSITIVE_INFINITY, "x = " + inputs[i] + " gave " + get(out, i));
                if (ulps > worst) {
                    worst = ulps;
                    worstX = inputs[i];
                }
            }
        }
        assertTrue(worst <= limit, worst + " ulps at x = " + worstX + ", more than " + limit);
    }

    private static double[] uniform(double lo, double hi, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[SAMPLES];
        for (int i = 0; i < x.length; i++) x[i] = lo + (hi - lo) * random.nextDouble();
        return x;
    }

    /** Positive doubles with exponents spread evenly from the subnormals to the largest. */
    private static double[] logUniformPositive(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[SAMPLES];
        for (int i = 0; i < x.length; i++) x[i] = Math.scalb(1 + random.nextDouble(), random.nextInt(-1074, 1024));
        return x;
    }

    private static double[] apply(Op op, double... inputs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = TestData.of(arena, inputs), out = arena.allocate(inputs.length * 8L, 64);
            op.run(inputs.length, x, out);
            double[] result = new double[inputs.length];
            for (int i = 0; i < inputs.length; i++) result[i] = get(out, i);
            return result;
        }
    }

    @Test
    void expIsWithinOneUlpOverItsWholeRange() {
        assertWithinUlps(1, uniform(-745, 709.7, 1), backend::exp, StrictMath::exp);
        assertWithinUlps(1, uniform(-1, 1, 2), backend::exp, StrictMath::exp);
        assertWithinUlps(1, uniform(-1e-300, 1e-300, 3), backend::exp, StrictMath::exp);
        // Subnormal results, rounded once
        assertWithinUlps(1, uniform(-745, -708, 4), backend::exp, StrictMath::exp);
    }

    @Test
    void expSpecialValuesFollowMath() {
        double[] x = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 709.79, 710, 1e300,
            -745.2, -746, -1e300, 1};
        double[] y = apply(backend::exp, x);
        for (int i = 0; i < x.length; i++) {
            if (i == x.length - 1) {
                assertTrue(TestData.ulps(y[i], Math.E) <= 1, "exp(1)");
            } else {
                assertEquals(Math.exp(x[i]), y[i], 0, "exp(" + x[i] + ")");
            }
        }
    }

    @Test
    void logIsWithinOneUlpOverItsWholeRange() {
        assertWithinUlps(1, logUniformPositive(5), backend::log, StrictMath::log);
        assertWithinUlps(1, uniform(0.5, 2, 6), backend::log, StrictMath::log);
        assertWithinUlps(1, uniform(1 - 1e-6, 1 + 1e-6, 7), backend::log, StrictMath::log);
    }

    @Test
    void logSpecialValuesFollowMath() {
        double[] x = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, -1, 1, Double.MIN_VALUE,
            Double.MAX_VALUE, Double.MIN_NORMAL};
        double[] y = apply(backend::log, x);
        for (int i = 0; i < x.length; i++) {
            assertTrue(TestData.ulps(y[i], Math.log(x[i])) <= 1, "log(" + x[i] + ") = " + y[i]);
        }
    }

    @Test
    void tanhIsWithinTwoUlpsAnd2Point3e16Absolute() {
        double[][] ranges = {uniform(-25, 25, 8), uniform(-1, 1, 9), uniform(0.6, 0.65, 10), uniform(-1e-8, 1e-8, 11)};
        for (double[] x : ranges) {
            assertWithinUlps(2, x, backend::tanh, StrictMath::tanh);
            double[] y = apply(backend::tanh, x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(StrictMath.tanh(x[i]), y[i], 2.3e-16, "tanh(" + x[i] + ")");
            }
        }
    }

    @Test
    void tanhOfAValueDoesNotDependOnTheVectorItSharesWithOthers() {
        // Vectors whose lanes all have |x| < 1 take a shorter path; the bits must be the same.
        double[] small = uniform(-0.999, 0.999, 12);
        double[] mixed = small.clone();
        for (int i = 0; i < mixed.length; i += 8) mixed[i] = 3.5; // one lane per vector over the limit
        double[] alone = apply(backend::tanh, small), together = apply(backend::tanh, mixed);
        for (int i = 0; i < small.length; i++) {
            if (i % 8 == 0) continue;
            assertEquals(Double.doubleToRawLongBits(alone[i]), Double.doubleToRawLongBits(together[i]), "tanh(" + small[i] + ")");
        }
    }

    @Test
    void tanhSpecialValuesFollowMath() {
        double[] x = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 20, -20, 1e300,
            Double.MIN_VALUE, -Double.MIN_VALUE};
        double[] y = apply(backend::tanh, x);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.tanh(x[i]), y[i], 0, "tanh(" + x[i] + ")");
            assertEquals(Math.copySign(1, Math.tanh(x[i])), Math.copySign(1, y[i]), 0, "sign of tanh(" + x[i] + ")");
        }
    }
}
