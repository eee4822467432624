package pinn.runtime.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** L-BFGS reaches known minima, deterministically, without allocating per iteration. */
class LbfgsConvergenceTest {

    private static final LbfgsSettings TIGHT = LbfgsSettings.DEFAULTS.withGradientTolerance(1e-11);

    @Test
    void solvesAQuadraticInAboutNIterationsWhenLineSearchesAreNearlyExact() {
        // With history ≥ n and exact line searches L-BFGS reproduces conjugate gradients: n steps.
        int n = 12;
        TestFunctions.Quadratic quadratic = TestFunctions.Quadratic.random(n, 100, 7);
        Lbfgs lbfgs = new Lbfgs(TIGHT.withWolfeConstants(1e-4, 0.01));

        LbfgsResult result = lbfgs.minimize(quadratic, new double[n]);

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason());
        assertTrue(result.iterations() <= n + 1, "iterations " + result.iterations());
        // On a quadratic the cubic zoom lands on the exact line minimum after one interpolation.
        assertTrue(result.evaluations() <= 3 * (n + 1), "evaluations " + result.evaluations());
        assertTrue(TestFunctions.maxDistance(result.point(), quadratic.minimizer()) <= 1e-10, result::toString);
    }

    @Test
    void solvesAQuadraticWithDefaultWolfeConstants() {
        int n = 12;
        TestFunctions.Quadratic quadratic = TestFunctions.Quadratic.random(n, 100, 7);

        LbfgsResult result = new Lbfgs(TIGHT).minimize(quadratic, new double[n]);

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason());
        assertTrue(result.iterations() <= 4 * n, "iterations " + result.iterations());
        assertTrue(TestFunctions.maxDistance(result.point(), quadratic.minimizer()) <= 1e-10, result::toString);
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {2, 10, 100})
    void findsTheRosenbrockMinimumFromTheStandardStart(int n) {
        LbfgsResult result = new Lbfgs(TIGHT).minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(n));

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(n, 1)) <= 1e-8, result::toString);
        assertTrue(result.value() <= 1e-16, result::toString);
    }

    @Test
    void aHistoryOfOnePairStillConverges() {
        int n = 10;
        LbfgsResult result = new Lbfgs(TIGHT.withHistorySize(1))
                .minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(n));

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(n, 1)) <= 1e-8, result::toString);
    }

    @Test
    void handlesAHundredThousandVariables() {
        int n = 100_000;
        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withGradientTolerance(1e-9))
                .minimize(TestFunctions.diagonalQuadratic(n, 10), new double[n]);

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(n, 1)) <= 1e-9, result::toString);
    }

    @Test
    void twoRunsAreBitIdentical() {
        int n = 100;
        List<Double> firstValues = new ArrayList<>();
        List<Double> secondValues = new ArrayList<>();
        Lbfgs lbfgs = new Lbfgs(TIGHT);

        LbfgsResult first = lbfgs.minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(n),
                (iteration, value, gradientNorm) -> firstValues.add(value));
        LbfgsResult second = lbfgs.minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(n),
                (iteration, value, gradientNorm) -> secondValues.add(value));

        assertEquals(first, second);
        assertArrayEquals(bits(first.point()), bits(second.point()));
        assertEquals(firstValues, secondValues, "every iterate's value, bit for bit (Double.equals)");
    }

    @Test
    void leavesTheStartAloneAndHandsOutCopies() {
        double[] start = TestFunctions.rosenbrockStart(4);
        double[] startCopy = start.clone();

        LbfgsResult result = new Lbfgs().minimize(TestFunctions::rosenbrock, start);

        assertArrayEquals(startCopy, start);
        double[] point = result.point();
        assertNotSame(point, result.point());
        point[0] = 42;
        assertTrue(result.point()[0] != 42);
    }

    @Test
    void allocatesNothingPerIteration() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = 1000;
        double[] start = TestFunctions.rosenbrockStart(n);
        DifferentiableFunction rosenbrock = TestFunctions::rosenbrock;
        IterationCallback callback = IterationCallback.NONE;
        // Chained Rosenbrock in 1000 variables needs thousands of steps: both runs use every iteration.
        Lbfgs shortRun = new Lbfgs(LbfgsSettings.DEFAULTS.withMaxIterations(20));
        Lbfgs longRun = new Lbfgs(LbfgsSettings.DEFAULTS.withMaxIterations(420));
        for (int warmUp = 0; warmUp < 3; warmUp++) {
            shortRun.minimize(rosenbrock, start, callback);
            longRun.minimize(rosenbrock, start, callback);
        }

        long before = threads.getCurrentThreadAllocatedBytes();
        LbfgsResult shortResult = shortRun.minimize(rosenbrock, start, callback);
        long between = threads.getCurrentThreadAllocatedBytes();
        LbfgsResult longResult = longRun.minimize(rosenbrock, start, callback);
        long after = threads.getCurrentThreadAllocatedBytes();

        assertEquals(LbfgsStopReason.MAX_ITERATIONS, shortResult.stopReason());
        assertEquals(LbfgsStopReason.MAX_ITERATIONS, longResult.stopReason());
        long extraBytes = (after - between) - (between - before);
        assertTrue(extraBytes < 400 * 16, "400 more iterations allocated " + extraBytes + " bytes");
    }

    private static long[] bits(double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
        }
        return bits;
    }
}
