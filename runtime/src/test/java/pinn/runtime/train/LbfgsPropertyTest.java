package pinn.runtime.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/** On any symmetric positive definite quadratic, L-BFGS finds the minimiser and reports honestly. */
class LbfgsPropertyTest {

    private static final double GRADIENT_TOLERANCE = 1e-9;

    @Test
    void findsTheMinimiserOfRandomPositiveDefiniteQuadratics() {
        Lbfgs lbfgs = new Lbfgs(LbfgsSettings.DEFAULTS.withGradientTolerance(GRADIENT_TOLERANCE));
        qt().withExamples(200)
                .forAll(integers().between(1, 30), doubles().between(0.0, 4.0), longs().all())
                .checkAssert((n, log10Condition, seed) -> {
                    TestFunctions.Quadratic quadratic =
                            TestFunctions.Quadratic.random(n, Math.pow(10, log10Condition), seed);
                    double[] start = new double[n];
                    double[] lastSeen = {Double.POSITIVE_INFINITY, Double.NaN};
                    int[] iterationsSeen = {0};

                    LbfgsResult result = lbfgs.minimize(quadratic, start, (iteration, value, gradientNorm) -> {
                        assertEquals(iterationsSeen[0] + 1, iteration, "iterations count up by one");
                        assertTrue(value <= lastSeen[0], "values never rise: " + value + " after " + lastSeen[0]);
                        iterationsSeen[0] = iteration;
                        lastSeen[0] = value;
                        lastSeen[1] = gradientNorm;
                        return true;
                    });

                    assertEquals(LbfgsStopReason.GRADIENT_TOLERANCE, result.stopReason(), result::toString);
                    // The smallest eigenvalue is 1, so ‖x − x*‖ ≤ ‖g‖ ≤ the tolerance.
                    double tolerance = 10 * GRADIENT_TOLERANCE;
                    assertTrue(TestFunctions.maxDistance(result.point(), quadratic.minimizer()) <= tolerance,
                            result::toString);

                    double[] gradient = new double[n];
                    double value = quadratic.valueAndGradient(result.point(), gradient);
                    assertEquals(value, result.value(), 0.0, "the value reported is the value at the point");
                    assertEquals(norm(gradient), result.gradientNorm(), 1e-12 * norm(gradient) + 1e-300);
                    assertTrue(result.gradientNorm() <= GRADIENT_TOLERANCE);
                    assertEquals(iterationsSeen[0], result.iterations());
                    if (result.iterations() > 0) {
                        assertEquals(lastSeen[0], result.value(), 0.0, "the last callback saw the final value");
                        assertEquals(lastSeen[1], result.gradientNorm(), 0.0);
                    }
                    assertTrue(result.evaluations() >= result.iterations() + 1);
                });
    }

    private static double norm(double[] vector) {
        double sum = 0;
        for (double v : vector) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }
}
