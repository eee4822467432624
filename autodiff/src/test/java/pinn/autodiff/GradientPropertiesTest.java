package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static pinn.autodiff.FiniteDifferences.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import pinn.kernels.Backend;
import pinn.kernels.ReferenceBackend;

/**
 * Reverse mode on random compositions of every primitive, against finite differences: the
 * gradient (first order) and Hessian-vector products through create graph (second order).
 */
class GradientPropertiesTest {

    private static final Backend BACKEND = new ReferenceBackend();
    private static final int N = RandomExpression.N;

    private static final Gen<RandomExpression> EXPRESSIONS =
            longs().all().zip(integers().between(1, 6), RandomExpression::new);

    @Test
    void gradientsMatchFiniteDifferences() {
        qt().withFixedSeed(20240501).withExamples(300).forAll(EXPRESSIONS).checkAssert(expression -> {
            double[][] x = expression.leafValues();
            double[][] gradients = gradients(expression, x);
            for (int leaf = 0; leaf < x.length; leaf++) {
                double[] expected = new double[N * N];
                for (int i = 0; i < expected.length; i++) {
                    int l = leaf, e = i;
                    expected[i] = FiniteDifferences.derivative(s -> value(expression, shifted(x, l, e, s)));
                }
                assertClose(expected, gradients[leaf], 1e-7, "d/d leaf " + leaf + " of " + expression);
            }
        });
    }

    @Test
    void hessianVectorProductsMatchFiniteDifferencesOfTheGradient() {
        qt().withFixedSeed(20240502).withExamples(200).forAll(EXPRESSIONS).checkAssert(expression -> {
            double[][] x = expression.leafValues();
            double[][] u = RandomExpression.leafValuesFrom(new SplittableRandom(expression.seed() * 31 + 7));
            double[][] hu = hessianTimes(expression, x, u);
            for (int leaf = 0; leaf < x.length; leaf++) {
                int l = leaf;
                double[] expected = FiniteDifferences.derivativeOfVector(s -> gradients(expression, along(x, u, s))[l]);
                assertClose(expected, hu[leaf], 1e-6, "H·u for leaf " + leaf + " of " + expression);
            }
        });
    }

    @Test
    void anExplicitSeedGivesTheGradientOfTheSeedWeightedSum() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor x = tape.tensor(2, 2, 0.1, -0.4, 0.7, 1.2);
            Tensor y = tape.tanh(tape.matmul(x, x));
            Tensor seed = tape.tensor(2, 2, 1, 2, 3, 4);
            Tensor bySeed = tape.grad(y, seed, List.of(x), false).getFirst();
            Tensor bySum = tape.grad(tape.sum(tape.mul(y, seed)), List.of(x)).getFirst();
            assertClose(bySum.toArray(), bySeed.toArray(), 1e-15, "seeded vjp");
        }
    }

    @Test
    void createGraphDoesNotChangeFirstOrderValues() {
        qt().withFixedSeed(20240503).withExamples(100).forAll(EXPRESSIONS).checkAssert(expression -> {
            double[][] x = expression.leafValues();
            try (Tape tape = new Tape(BACKEND)) {
                List<Tensor> leaves = leaves(tape, x);
                Tensor f = expression.evaluate(tape, leaves);
                List<Tensor> plain = tape.grad(f, leaves, false);
                List<Tensor> recorded = tape.grad(f, leaves, true);
                for (int i = 0; i < leaves.size(); i++) {
                    assertClose(plain.get(i).toArray(), recorded.get(i).toArray(), 0, "leaf " + i);
                }
            }
        });
    }

    // ---- evaluation helpers: each builds the expression on a fresh tape ----

    private static double value(RandomExpression expression, double[][] x) {
        try (Tape tape = new Tape(BACKEND)) {
            return expression.evaluate(tape, leaves(tape, x)).item();
        }
    }

    private static double[][] gradients(RandomExpression expression, double[][] x) {
        try (Tape tape = new Tape(BACKEND)) {
            List<Tensor> leaves = leaves(tape, x);
            List<Tensor> g = tape.grad(expression.evaluate(tape, leaves), leaves);
            return g.stream().map(Tensor::toArray).toArray(double[][]::new);
        }
    }

    /** H·u, as the gradient of Σ_leaves ⟨∇f, u⟩ with the first gradient recorded. */
    private static double[][] hessianTimes(RandomExpression expression, double[][] x, double[][] u) {
        try (Tape tape = new Tape(BACKEND)) {
            List<Tensor> leaves = leaves(tape, x);
            List<Tensor> g = tape.grad(expression.evaluate(tape, leaves), leaves, true);
            Tensor directional = null;
            for (int i = 0; i < g.size(); i++) {
                Tensor term = tape.sum(tape.mul(g.get(i), tape.tensor(N, N, u[i])));
                directional = directional == null ? term : tape.add(directional, term);
            }
            List<Tensor> hu = tape.grad(directional, leaves);
            assertEquals(leaves.size(), hu.size());
            return hu.stream().map(Tensor::toArray).toArray(double[][]::new);
        }
    }

    private static List<Tensor> leaves(Tape tape, double[][] x) {
        List<Tensor> leaves = new ArrayList<>();
        for (double[] values : x) leaves.add(tape.tensor(N, N, values));
        return leaves;
    }

    private static double[][] shifted(double[][] x, int leaf, int element, double s) {
        double[][] y = copy(x);
        y[leaf][element] += s;
        return y;
    }

    private static double[][] along(double[][] x, double[][] u, double s) {
        double[][] y = copy(x);
        for (int l = 0; l < y.length; l++) for (int i = 0; i < y[l].length; i++) y[l][i] += s * u[l][i];
        return y;
    }

    private static double[][] copy(double[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) y[i] = x[i].clone();
        return y;
    }
}
