package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.DoubleFunction;

/** Test oracles: fourth-order central differences, and a tolerance-stated comparison. */
final class FiniteDifferences {

    private FiniteDifferences() {}

    /** Step for the five-point stencil: truncation error O(h⁴) ≈ 1e-12, rounding ≈ 1e-13 · |f|. */
    static final double H = 1e-3;

    /** df/ds at s = 0 by the five-point stencil. */
    static double derivative(DoubleFunction<Double> f) {
        return (-f.apply(2 * H) + 8 * f.apply(H) - 8 * f.apply(-H) + f.apply(-2 * H)) / (12 * H);
    }

    /** The same stencil applied to a vector-valued f, component by component. */
    static double[] derivativeOfVector(DoubleFunction<double[]> f) {
        double[] p2 = f.apply(2 * H), p1 = f.apply(H), m1 = f.apply(-H), m2 = f.apply(-2 * H);
        double[] d = new double[p1.length];
        for (int i = 0; i < d.length; i++) d[i] = (-p2[i] + 8 * p1[i] - 8 * m1[i] + m2[i]) / (12 * H);
        return d;
    }

    /** d²f/ds² at s = 0 by the five-point stencil. */
    static double secondDerivative(DoubleFunction<Double> f) {
        return (-f.apply(2 * H) + 16 * f.apply(H) - 30 * f.apply(0) + 16 * f.apply(-H) - f.apply(-2 * H)) / (12 * H * H);
    }

    /**
     * Asserts |actual − expected| ≤ tolerance · (1 + max |expected|) for every component: a
     * relative tolerance for large values that does not demand the impossible near zero.
     */
    static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        if (expected.length != actual.length) fail(what + ": lengths " + expected.length + " vs " + actual.length);
        double scale = 1;
        for (double e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) {
                fail(String.format("%s [%d]: expected %.12g, got %.12g (tolerance %.1e · %.3g)",
                        what, i, expected[i], actual[i], tolerance, scale));
            }
        }
    }
}
