package pinn.runtime.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every stop reason, and the robustness promises: NaN steps shrink, a failed search retries once. */
class LbfgsStoppingTest {

    @Test
    void stopsAfterMaxIterations() {
        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withMaxIterations(5))
                .minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(100));

        assertEquals(LbfgsStopReason.MAX_ITERATIONS, result.stopReason());
        assertEquals(5, result.iterations());
    }

    @Test
    void zeroIterationsOnlyEvaluatesTheStart() {
        double[] start = TestFunctions.rosenbrockStart(4);
        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withMaxIterations(0))
                .minimize(TestFunctions::rosenbrock, start);

        assertEquals(LbfgsStopReason.MAX_ITERATIONS, result.stopReason());
        assertEquals(1, result.evaluations());
        assertArrayEquals(start, result.point());
        assertEquals(TestFunctions.rosenbrock(start, new double[4]), result.value());
    }

    @Test
    void neverExceedsMaxEvaluations() {
        int[] calls = {0};
        DifferentiableFunction counted = (x, gradient) -> {
            calls[0]++;
            return TestFunctions.rosenbrock(x, gradient);
        };
        for (int limit = 1; limit <= 30; limit++) {
            calls[0] = 0;
            LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withMaxEvaluations(limit))
                    .minimize(counted, TestFunctions.rosenbrockStart(10));

            assertEquals(LbfgsStopReason.MAX_EVALUATIONS, result.stopReason(), "limit " + limit);
            assertEquals(calls[0], result.evaluations(), "limit " + limit);
            assertTrue(result.evaluations() <= limit, "limit " + limit);
            assertEquals(TestFunctions.rosenbrock(result.point(), new double[10]), result.value());
        }
    }

    @Test
    void stopsWhenTheCallbackSaysSo() {
        int[] lastIteration = {0};
        LbfgsResult result = new Lbfgs().minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(10),
                (iteration, value, gradientNorm) -> {
                    lastIteration[0] = iteration;
                    return iteration < 3;
                });

        assertEquals(LbfgsStopReason.STOPPED_BY_CALLBACK, result.stopReason());
        assertEquals(3, result.iterations());
        assertEquals(3, lastIteration[0]);
    }

    @Test
    void stopsWhenAStepBarelyChangesTheValue() {
        // The minimum value is 1000, so a relative change of 1e-10 comes long before ‖g‖ = 0.
        TestFunctions.Quadratic quadratic = TestFunctions.Quadratic.random(8, 100, 3);
        DifferentiableFunction offset = (x, gradient) -> 1000 + quadratic.valueAndGradient(x, gradient);
        LbfgsSettings settings = LbfgsSettings.DEFAULTS.withGradientTolerance(0).withRelativeFunctionTolerance(1e-10);

        LbfgsResult result = new Lbfgs(settings).minimize(offset, new double[8]);

        assertEquals(LbfgsStopReason.FUNCTION_TOLERANCE, result.stopReason());
        assertTrue(result.value() - 1000 <= 1e-6, result::toString);
    }

    @Test
    void aStartAtTheMinimumNeedsNoStep() {
        LbfgsResult result = new Lbfgs().minimize(TestFunctions::rosenbrock, TestFunctions.filled(6, 1));

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason());
        assertEquals(0, result.iterations());
        assertEquals(1, result.evaluations());
    }

    @Test
    void refusesANonFiniteStart() {
        LbfgsResult result = new Lbfgs().minimize((x, gradient) -> {
            Arrays.fill(gradient, 0);
            return Double.NaN;
        }, new double[3]);

        assertEquals(LbfgsStopReason.NON_FINITE_START, result.stopReason());
        assertEquals(0, result.iterations());
        assertEquals(1, result.evaluations());
    }

    /** How a function says "outside my domain". */
    enum Poison { NAN_VALUE, INFINITE_VALUE, NAN_GRADIENT }

    @ParameterizedTest
    @EnumSource(Poison.class)
    void shrinksStepsThatLeaveTheDomainAndStillConverges(Poison poison) {
        // A quadratic defined only within 0.5 of its minimum; the first trial step (length 1) leaves it.
        int n = 5;
        DifferentiableFunction inside = TestFunctions.diagonalQuadratic(n, 10);
        int[] poisoned = {0};
        DifferentiableFunction partial = (x, gradient) -> {
            double value = inside.valueAndGradient(x, gradient);
            double[] offset = x.clone();
            Arrays.setAll(offset, i -> x[i] - 1);
            if (Math.sqrt(dot(offset, offset)) > 0.5) {
                poisoned[0]++;
                switch (poison) {
                    case NAN_VALUE -> value = Double.NaN;
                    case INFINITE_VALUE -> value = Double.POSITIVE_INFINITY;
                    case NAN_GRADIENT -> gradient[0] = Double.NaN;
                }
            }
            return value;
        };
        double[] start = TestFunctions.filled(n, 1);
        start[0] += 0.4;

        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withGradientTolerance(1e-10)).minimize(partial, start);

        assertTrue(poisoned[0] > 0, "the test must actually step outside");
        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(n, 1)) <= 1e-10, result::toString);
    }

    @Test
    void convergesOnRosenbrockThatIsUndefinedFarFromTheValley() {
        // Rosenbrock, NaN beyond radius 1.6: the standard start lies at 1.56, the minimum at 1.41.
        int[] poisoned = {0};
        DifferentiableFunction partial = (x, gradient) -> {
            double value = TestFunctions.rosenbrock(x, gradient);
            if (dot(x, x) > 1.6 * 1.6) {
                poisoned[0]++;
                return Double.NaN;
            }
            return value;
        };

        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withGradientTolerance(1e-11))
                .minimize(partial, TestFunctions.rosenbrockStart(2));

        assertTrue(poisoned[0] > 0, "the test must actually step outside");
        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(2, 1)) <= 1e-8, result::toString);
    }

    @Test
    void aFailedSearchDropsTheHistoryAndRetriesAlongSteepestDescent() {
        // Every trial of the line search after iteration 3 is poisoned; the retry is not.
        int trialsPerSearch = LbfgsSettings.DEFAULTS.maxLineSearchEvaluations();
        PoisonAfterIteration function = new PoisonAfterIteration(3, trialsPerSearch);

        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withGradientTolerance(1e-10))
                .minimize(function, TestFunctions.rosenbrockStart(10), function);

        assertEquals(0, function.poisonLeft, "the whole first search was poisoned");
        assertTrue(function.historyWasUsed, "iteration 4 started with a quasi-Newton direction");
        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(10, 1)) <= 1e-8, result::toString);
    }

    @Test
    void givesUpWhenTheSteepestDescentRetryFailsToo() {
        int trialsPerSearch = LbfgsSettings.DEFAULTS.maxLineSearchEvaluations();
        PoisonAfterIteration function = new PoisonAfterIteration(3, 2 * trialsPerSearch);

        LbfgsResult result = new Lbfgs().minimize(function, TestFunctions.rosenbrockStart(10), function);

        assertEquals(LbfgsStopReason.LINE_SEARCH_FAILED, result.stopReason());
        assertEquals(3, result.iterations());
        assertEquals(function.valueAtIteration, result.value(), 0.0, "the run ends at its last good point");
        assertTrue(Double.isFinite(result.gradientNorm()));
        assertEquals(function.evaluationsAtIteration + 2 * trialsPerSearch, result.evaluations());
    }

    @Test
    void givesUpWithTheStartWhenNothingNearItIsDefined() {
        double[] start = {0.5, -0.25};
        DifferentiableFunction definedOnlyAtStart = (x, gradient) -> {
            gradient[0] = 1;
            gradient[1] = 1;
            return Arrays.equals(x, start) ? 0.0 : Double.NaN;
        };

        LbfgsResult result = new Lbfgs().minimize(definedOnlyAtStart, start);

        assertEquals(LbfgsStopReason.LINE_SEARCH_FAILED, result.stopReason());
        assertArrayEquals(start, result.point());
        assertEquals(0.0, result.value());
        assertEquals(1 + LbfgsSettings.DEFAULTS.maxLineSearchEvaluations(), result.evaluations());
    }

    @Test
    void skippingEveryCurvaturePairDegradesToSteepestDescentWithoutStalling() {
        // An ε so large that no (s, y) pair qualifies: every step is steepest descent.
        TestFunctions.Quadratic quadratic = TestFunctions.Quadratic.random(5, 10, 11);
        LbfgsSettings settings = LbfgsSettings.DEFAULTS.withCurvatureEpsilon(1e300).withGradientTolerance(1e-10);

        RecordingFunction recording = new RecordingFunction(quadratic);

        LbfgsResult result = new Lbfgs(settings).minimize(recording, new double[5], recording);

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), quadratic.minimizer()) <= 1e-9, result::toString);
        // Without history every search starts with a steepest-descent trial of length 1.
        for (int k = 0; k < recording.firstTrials.size(); k++) {
            double length = RecordingFunction.distance(recording.firstTrials.get(k), recording.acceptedPoints.get(k));
            assertEquals(1.0, length, 1e-12, "first trial from iterate " + k);
        }
    }

    @Test
    void aTinyLineSearchBudgetStillMakesProgress() {
        // Two trials per search: some searches end with sufficient decrease but without the curvature
        // condition; their steps must be taken, not thrown away as failures.
        int n = 10;
        LbfgsSettings settings = LbfgsSettings.DEFAULTS.withMaxLineSearchEvaluations(2).withGradientTolerance(1e-10);

        LbfgsResult result = new Lbfgs(settings).minimize(TestFunctions::rosenbrock, TestFunctions.rosenbrockStart(n));

        assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
        assertTrue(TestFunctions.maxDistance(result.point(), TestFunctions.filled(n, 1)) <= 1e-8, result::toString);
    }

    @Test
    void aFunctionWithoutCurvatureNeitherStallsNorProducesNaN() {
        // f = −x₀ − x₁: y = 0 on every step, so no pair is usable and f has no minimum.
        DifferentiableFunction plane = (x, gradient) -> {
            gradient[0] = -1;
            gradient[1] = -1;
            return -x[0] - x[1];
        };

        LbfgsResult result = new Lbfgs(LbfgsSettings.DEFAULTS.withMaxIterations(50)).minimize(plane, new double[2]);

        assertTrue(Double.isFinite(result.value()) && result.value() < -1e6, result::toString);
        assertTrue(Arrays.stream(result.point()).allMatch(Double::isFinite), result::toString);
        assertTrue(result.stopReason() == LbfgsStopReason.MAX_ITERATIONS
                || result.stopReason() == LbfgsStopReason.FUNCTION_TOLERANCE
                || result.stopReason() == LbfgsStopReason.LINE_SEARCH_FAILED, result::toString);
    }

    @Test
    void rejectsBadSettingsAndArguments() {
        assertThrows(IllegalArgumentException.class, () -> LbfgsSettings.DEFAULTS.withHistorySize(0));
        assertThrows(IllegalArgumentException.class, () -> LbfgsSettings.DEFAULTS.withMaxEvaluations(0));
        assertThrows(IllegalArgumentException.class, () -> LbfgsSettings.DEFAULTS.withWolfeConstants(0.9, 0.1));
        assertThrows(IllegalArgumentException.class, () -> LbfgsSettings.DEFAULTS.withWolfeConstants(1e-4, 1.0));
        assertThrows(IllegalArgumentException.class, () -> LbfgsSettings.DEFAULTS.withGradientTolerance(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LbfgsSettings.DEFAULTS.withRelativeFunctionTolerance(-1));
        assertThrows(IllegalArgumentException.class, () -> new Lbfgs().minimize(TestFunctions::rosenbrock, new double[0]));
    }

    /**
     * Rosenbrock that returns NaN for a number of evaluations right after a given iteration, and
     * records whether the poisoned search started along a quasi-Newton direction.
     */
    private static final class PoisonAfterIteration implements DifferentiableFunction, IterationCallback {
        private record Evaluation(double[] point, double[] gradient, double value) { }

        private final int iteration;
        private final List<Evaluation> finiteEvaluations = new ArrayList<>();
        private int poisonLeft;
        private int evaluations;
        private Evaluation accepted;
        private double valueAtIteration = Double.NaN;
        private int evaluationsAtIteration;
        private boolean historyWasUsed;
        private boolean firstPoisonedTrial = true;

        PoisonAfterIteration(int iteration, int poisonedEvaluations) {
            this.iteration = iteration;
            this.poisonLeft = poisonedEvaluations;
        }

        @Override
        public double valueAndGradient(double[] point, double[] gradientOut) {
            evaluations++;
            double value = TestFunctions.rosenbrock(point, gradientOut);
            if (accepted != null && poisonLeft > 0) {
                if (firstPoisonedTrial) {
                    // Steepest descent puts the first trial at x − g/‖g‖; a quasi-Newton step does not.
                    double norm = Math.sqrt(dot(accepted.gradient(), accepted.gradient()));
                    double[] steepest = new double[point.length];
                    Arrays.setAll(steepest, i -> accepted.point()[i] - accepted.gradient()[i] / norm);
                    historyWasUsed = TestFunctions.maxDistance(steepest, point) > 1e-6;
                    firstPoisonedTrial = false;
                }
                poisonLeft--;
                return Double.NaN;
            }
            finiteEvaluations.add(new Evaluation(point.clone(), gradientOut.clone(), value));
            return value;
        }

        @Override
        public boolean afterIteration(int completed, double value, double gradientNorm) {
            if (completed == iteration) {
                accepted = finiteEvaluations.reversed().stream()
                        .filter(evaluation -> evaluation.value() == value)
                        .findFirst().orElseThrow();
                valueAtIteration = value;
                evaluationsAtIteration = evaluations;
            }
            return true;
        }
    }

    private static double dot(double[] u, double[] v) {
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            sum += u[i] * v[i];
        }
        return sum;
    }
}
