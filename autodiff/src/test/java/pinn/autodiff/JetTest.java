package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static pinn.autodiff.FiniteDifferences.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import pinn.autodiff.HigherOrderTest.SmallMlp;
import pinn.kernels.Backend;
import pinn.kernels.ReferenceBackend;

/**
 * Taylor jets against nested reverse mode and against finite differences along the curve
 * x(s) = x + s·d₀ + s²/2·x'' (each point its own curve), and reverse over forward: the weight
 * gradient of a loss built from jets, against finite differences.
 */
class JetTest {

    private static final Backend BACKEND = new ReferenceBackend();
    private static final int POINTS = SmallMlp.POINTS;
    private static final int INPUTS = SmallMlp.SIZES[0];
    private static final int DIRECTIONS = 2;

    /** The network under test: the small MLP, then an output transform using every jet op. */
    private static Jet network(Tape tape, SmallMlp mlp, List<Tensor> params, Jet x) {
        Jet h = x;
        for (int l = 0; l < params.size(); l += 2) {
            h = h.linear(tape, params.get(l), params.get(l + 1));
            if (l + 2 < params.size()) h = h.tanh(tape);
        }
        Jet u = h.scale(tape, 0.5).exp(tape);                             // e^{f/2}
        Jet v = h.square(tape).addScalar(tape, 1).sub(tape, h.matmul(tape, tape.tensor(1, 1, 0.3)));
        return u.mul(tape, v).add(tape, h.mul(tape, tape.full(POINTS, 1, 2))); // e^{f/2}(1 + f² − 0.3 f) + 2f
    }

    /** Random per-point seeds: x, directions d₀, d₁ and x''. */
    private record Seeds(double[] x, double[][] directions, double[] second) {
        static Seeds random(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            double[][] d = new double[DIRECTIONS][];
            for (int i = 0; i < DIRECTIONS; i++) d[i] = RandomExpression.values(r, POINTS * INPUTS, -1, 1);
            return new Seeds(RandomExpression.values(r, POINTS * INPUTS, -1, 1), d, RandomExpression.values(r, POINTS * INPUTS, -1, 1));
        }

        Jet jet(Tape tape, double[] at) {
            List<Tensor> tangents = new ArrayList<>();
            for (double[] d : directions) tangents.add(tape.tensor(POINTS, INPUTS, d));
            return new Jet(tape.tensor(POINTS, INPUTS, at), tangents, tape.tensor(POINTS, INPUTS, second));
        }

        /** x + s·d₀ + s²/2·x''. */
        double[] along(double s) {
            double[] y = x.clone();
            for (int i = 0; i < y.length; i++) y[i] += s * directions[0][i] + s * s / 2 * second[i];
            return y;
        }
    }

    @Test
    void jetsMatchNestedReverseMode() {
        qt().withFixedSeed(11).withExamples(40).forAll(longs().all()).checkAssert(seed -> {
            SmallMlp mlp = new SmallMlp(seed);
            Seeds seeds = Seeds.random(seed + 1);
            try (Tape tape = new Tape(BACKEND)) {
                List<Tensor> params = mlp.parameters(tape, mlp.weights);
                Jet jet = seeds.jet(tape, seeds.x);
                Jet out = network(tape, mlp, params, jet);

                // Nested reverse: points are independent, so ∂(Σf)/∂x holds each point's gradient.
                Tensor x = jet.value();
                Tensor g = tape.grad(tape.sum(out.value()), List.of(x), true).getFirst();
                for (int i = 0; i < DIRECTIONS; i++) {
                    Tensor byReverse = tape.rowSums(tape.mul(g, jet.tangent(i)));
                    assertClose(byReverse.toArray(), out.tangent(i).toArray(), 1e-13, "direction " + i);
                }
                Tensor gd0 = tape.rowSums(tape.mul(g, jet.tangent(0)));
                Tensor hd0 = tape.grad(tape.sum(gd0), List.of(x)).getFirst();
                Tensor second = tape.add(tape.rowSums(tape.mul(hd0, jet.tangent(0))), tape.rowSums(tape.mul(g, jet.second())));
                assertClose(second.toArray(), out.second().toArray(), 1e-13, "second derivative along d₀");
            }
        });
    }

    @Test
    void jetsMatchFiniteDifferencesAlongTheCurve() {
        qt().withFixedSeed(12).withExamples(40).forAll(longs().all()).checkAssert(seed -> {
            SmallMlp mlp = new SmallMlp(seed);
            Seeds seeds = Seeds.random(seed + 1);
            double[] first, second;
            try (Tape tape = new Tape(BACKEND)) {
                Jet out = network(tape, mlp, mlp.parameters(tape, mlp.weights), seeds.jet(tape, seeds.x));
                first = out.tangent(0).toArray();
                second = out.second().toArray();
            }
            double[] expectedFirst = FiniteDifferences.derivativeOfVector(s -> valueAt(mlp, seeds, seeds.along(s)));
            double[] expectedSecond = new double[POINTS];
            for (int p = 0; p < POINTS; p++) {
                int point = p;
                expectedSecond[p] = FiniteDifferences.secondDerivative(s -> valueAt(mlp, seeds, seeds.along(s))[point]);
            }
            assertClose(expectedFirst, first, 1e-9, "first derivative along the curve");
            assertClose(expectedSecond, second, 1e-6, "second derivative along the curve");
        });
    }

    /** Reverse over forward: the weight gradient of a loss made of jet components. */
    @Test
    void weightGradientsOfJetLossesMatchFiniteDifferences() {
        qt().withFixedSeed(13).withExamples(15).forAll(longs().all()).checkAssert(seed -> {
            SmallMlp mlp = new SmallMlp(seed);
            Seeds seeds = Seeds.random(seed + 1);
            double[] byTape;
            try (Tape tape = new Tape(BACKEND)) {
                List<Tensor> params = mlp.parameters(tape, mlp.weights);
                byTape = HigherOrderTest.flatten(tape.grad(jetLoss(tape, mlp, params, seeds), params));
            }
            double[] expected = new double[mlp.weights.length];
            for (int i = 0; i < expected.length; i++) {
                int p = i;
                expected[i] = FiniteDifferences.derivative(h -> {
                    double[] shifted = mlp.weights.clone();
                    shifted[p] += h;
                    try (Tape tape = new Tape(BACKEND)) {
                        return jetLoss(tape, mlp, mlp.parameters(tape, shifted), seeds).item();
                    }
                });
            }
            assertClose(expected, byTape, 1e-8, "d/dθ of a jet loss, seed " + seed);
        });
    }

    @Test
    void componentsMustHaveTheValueShape() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor x = tape.zeros(2, 3);
            assertThrows(IllegalArgumentException.class, () -> new Jet(x, List.of(tape.zeros(3, 2)), x));
            assertThrows(IllegalArgumentException.class, () -> new Jet(x, List.of(), x));
        }
    }

    /** A PDE-like residual: mean of (f'' + f'₁ − f)². */
    private static Tensor jetLoss(Tape tape, SmallMlp mlp, List<Tensor> params, Seeds seeds) {
        Jet out = network(tape, mlp, params, seeds.jet(tape, seeds.x));
        Tensor residual = tape.sub(tape.add(out.second(), out.tangent(1)), out.value());
        return tape.mean(tape.square(residual));
    }

    private static double[] valueAt(SmallMlp mlp, Seeds seeds, double[] x) {
        try (Tape tape = new Tape(BACKEND)) {
            return network(tape, mlp, mlp.parameters(tape, mlp.weights), seeds.jet(tape, x)).value().toArray();
        }
    }
}
