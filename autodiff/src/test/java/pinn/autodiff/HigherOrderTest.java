package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static pinn.autodiff.FiniteDifferences.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import pinn.autodiff.Primitive.Polynomial;
import pinn.autodiff.Primitive.TanhDerivative;
import pinn.kernels.Backend;
import pinn.kernels.ReferenceBackend;

/** Gradients of gradients: tanh to fourth order, and double backward through a small tanh MLP. */
class HigherOrderTest {

    private static final Backend BACKEND = new ReferenceBackend();

    @Test
    void tanhDifferentiatesToFourthOrderAsTheAnalyticFormulas() {
        double[] x = {-2.5, -1.1, -0.3, 0, 0.4, 0.9, 1.7};
        try (Tape tape = new Tape(BACKEND)) {
            Tensor input = tape.tensor(1, x.length, x);
            Tensor derivative = tape.tanh(input);
            List<double[]> byTape = new ArrayList<>();
            for (int order = 1; order <= 4; order++) {
                derivative = tape.grad(tape.sum(derivative), List.of(input), true).getFirst();
                byTape.add(derivative.toArray());
            }
            double[][] analytic = new double[4][x.length];
            for (int i = 0; i < x.length; i++) {
                double t = Math.tanh(x[i]), s = 1 - t * t;
                analytic[0][i] = s;
                analytic[1][i] = -2 * t * s;
                analytic[2][i] = -2 * s * (1 - 3 * t * t);
                analytic[3][i] = 16 * t - 40 * t * t * t + 24 * Math.pow(t, 5);
            }
            for (int order = 1; order <= 4; order++) {
                assertClose(analytic[order - 1], byTape.get(order - 1), 1e-14, "tanh derivative of order " + order);
            }
        }
    }

    @Test
    void tanhDerivativePolynomialsFollowTheRecursion() {
        assertArrayEquals(new double[] {1, 0, -1}, TanhDerivative.polynomial(1).coefficients());
        assertArrayEquals(new double[] {0, -2, 0, 2}, TanhDerivative.polynomial(2).coefficients());
        assertArrayEquals(new double[] {-2, 0, 8, 0, -6}, TanhDerivative.polynomial(3).coefficients());
        assertArrayEquals(new double[] {6, -4}, new Polynomial(1, 6, -2).derivative().coefficients());
    }

    @Test
    void theKernelAgreesWithThePolynomialsForOrdersOneToThree() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor t = tape.tensor(1, 5, -0.99, -0.5, 0, 0.3, 0.8);
            for (int order = 1; order <= 3; order++) {
                assertClose(tape.polynomial(t, TanhDerivative.polynomial(order)).toArray(),
                        tape.tanhDerivative(order, t).toArray(), 1e-15, "order " + order);
            }
        }
    }

    /**
     * A PINN-like loss: s(θ) = Σ c ∘ ∂f/∂x for a small tanh MLP f, whose weight gradient needs
     * the gradient of a gradient. Compared with finite differences of s computed by first-order
     * reverse mode alone.
     */
    @Test
    void doubleBackwardThroughARandomTanhMlpMatchesFiniteDifferences() {
        qt().withFixedSeed(7).withExamples(25).forAll(longs().all()).checkAssert(seed -> {
            SmallMlp mlp = new SmallMlp(seed);
            double[] byTape;
            try (Tape tape = new Tape(BACKEND)) {
                List<Tensor> params = mlp.parameters(tape, mlp.weights);
                Tensor s = mlp.gradientLoss(tape, params, true);
                byTape = flatten(tape.grad(s, params));
            }
            double[] expected = new double[mlp.weights.length];
            for (int i = 0; i < expected.length; i++) {
                int p = i;
                expected[i] = FiniteDifferences.derivative(h -> {
                    double[] shifted = mlp.weights.clone();
                    shifted[p] += h;
                    try (Tape tape = new Tape(BACKEND)) {
                        return mlp.gradientLoss(tape, mlp.parameters(tape, shifted), false).item();
                    }
                });
            }
            assertClose(expected, byTape, 1e-7, "d/dθ of Σ c ∘ ∂f/∂x, seed " + seed);
        });
    }

    @Test
    void onlyTheOpsBetweenInputsAndOutputAreDifferentiated() {
        SmallMlp mlp = new SmallMlp(1);
        try (Tape tape = new Tape(BACKEND)) {
            List<Tensor> params = mlp.parameters(tape, mlp.weights);
            Tensor f = tape.sum(mlp.forward(tape, params, mlp.input(tape)));
            int before = tape.size();
            tape.grad(f, List.of(params.getLast()), true); // the output bias: one op away
            int lastBiasOnly = tape.size() - before;
            before = tape.size();
            tape.grad(f, List.of(params.getFirst()), true); // the first weights: through every layer
            int firstWeights = tape.size() - before;
            assertTrue(lastBiasOnly <= 2, "the output bias needed " + lastBiasOnly + " backward ops");
            assertTrue(firstWeights > 3 * lastBiasOnly, "the first weights needed only " + firstWeights);
        }
    }

    /** A 3 → 5 → 5 → 1 tanh MLP with random weights, on 4 random points. */
    static final class SmallMlp {
        static final int[] SIZES = {3, 5, 5, 1};
        static final int POINTS = 4;
        final double[] weights;
        final double[] x;
        final double[] c;

        SmallMlp(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            int count = 0;
            for (int l = 0; l + 1 < SIZES.length; l++) count += (SIZES[l] + 1) * SIZES[l + 1];
            weights = RandomExpression.values(random, count, -0.8, 0.8);
            x = RandomExpression.values(random, POINTS * SIZES[0], -1, 1);
            c = RandomExpression.values(random, POINTS * SIZES[0], -1, 1);
        }

        /** W₀, b₀, W₁, b₁, … as leaves, cut from a flat array. */
        List<Tensor> parameters(Tape tape, double[] flat) {
            List<Tensor> params = new ArrayList<>();
            int offset = 0;
            for (int l = 0; l + 1 < SIZES.length; l++) {
                int in = SIZES[l], out = SIZES[l + 1];
                params.add(tape.tensor(in, out, java.util.Arrays.copyOfRange(flat, offset, offset + in * out)));
                offset += in * out;
                params.add(tape.tensor(1, out, java.util.Arrays.copyOfRange(flat, offset, offset + out)));
                offset += out;
            }
            return params;
        }

        Tensor input(Tape tape) {
            return tape.tensor(POINTS, SIZES[0], x);
        }

        Tensor forward(Tape tape, List<Tensor> params, Tensor x) {
            Tensor h = x;
            for (int l = 0; l < params.size(); l += 2) {
                h = tape.linear(h, params.get(l), params.get(l + 1));
                if (l + 2 < params.size()) h = tape.tanh(h);
            }
            return h;
        }

        /** Σ c ∘ ∂(Σf)/∂x: a scalar made from the input gradient, recorded or not. */
        Tensor gradientLoss(Tape tape, List<Tensor> params, boolean createGraph) {
            Tensor x = input(tape);
            Tensor dfdx = tape.grad(tape.sum(forward(tape, params, x)), List.of(x), createGraph).getFirst();
            return tape.sum(tape.mul(dfdx, tape.tensor(POINTS, SIZES[0], c)));
        }
    }

    static double[] flatten(List<Tensor> tensors) {
        int n = 0;
        for (Tensor t : tensors) n += t.size();
        double[] flat = new double[n];
        int offset = 0;
        for (Tensor t : tensors) {
            System.arraycopy(t.toArray(), 0, flat, offset, t.size());
            offset += t.size();
        }
        return flat;
    }
}
