package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static pinn.autodiff.FiniteDifferences.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinn.autodiff.HigherOrderTest.SmallMlp;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;
import pinn.kernels.ReferenceBackend;
import pinn.kernels.VectorBackend;

/**
 * Jets stacked as row blocks ({@link Jet#stack}, {@link Tape#tanhJetLinear}, {@link Tape#jetLinear},
 * {@link Tape#tanhJet}) against the same jets component by component ({@link Jet#linear},
 * {@link Jet#tanh}), and the
 * fused primitives' derivative rules against finite differences: first order (the fused
 * backward), second order through create graph (the fused backward's own rule), and third order.
 *
 * <p>Tolerances: the stacked forward pass evaluates the same operations as the component-wise one
 * and must give the same bits. The fused backward computes its composite's operations in the same
 * order: the same bits too. Finite differences use the five-point stencil (error ≈ 1e-10 here):
 * 1e-7 relative to the largest component, as the other gradient tests.
 */
class StackedJetTest {

    private static final Backend REFERENCE = new ReferenceBackend();
    private static final VectorBackend VECTOR = new VectorBackend(1);
    private static final int POINTS = SmallMlp.POINTS;
    private static final int INPUTS = SmallMlp.SIZES[0];
    private static final int DIRECTIONS = 2;

    @AfterAll
    static void closeBackend() {
        VECTOR.close();
    }

    /** Random per-point jets: x, two directions, a second derivative. */
    private static Jet randomJet(Tape tape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> tangents = new ArrayList<>();
        Tensor x = tape.tensor(POINTS, INPUTS, RandomExpression.values(r, POINTS * INPUTS, -1.5, 1.5));
        for (int i = 0; i < DIRECTIONS; i++) tangents.add(tape.tensor(POINTS, INPUTS, RandomExpression.values(r, POINTS * INPUTS, -1, 1)));
        return new Jet(x, tangents, tape.tensor(POINTS, INPUTS, RandomExpression.values(r, POINTS * INPUTS, -1, 1)));
    }

    private static Jet componentWise(Tape tape, List<Tensor> params, Jet x) {
        Jet h = x;
        for (int l = 0; l < params.size(); l += 2) {
            h = h.linear(tape, params.get(l), params.get(l + 1));
            if (l + 2 < params.size()) h = h.tanh(tape);
        }
        return h;
    }

    /** Hidden layers by the fused {@link Tape#tanhJetLinear}, the output layer by {@link Tape#jetLinear}. */
    private static Jet stacked(Tape tape, List<Tensor> params, Jet x) {
        return stacked(tape, params, x, true);
    }

    /** With {@code fused} false, hidden layers as {@link Tape#jetLinear} then {@link Tape#tanhJet}. */
    private static Jet stacked(Tape tape, List<Tensor> params, Jet x, boolean fused) {
        int blocks = x.directions() + 2;
        Tensor h = x.stack(tape);
        for (int l = 0; l < params.size(); l += 2) {
            if (l + 2 < params.size() && fused) {
                h = tape.tanhJetLinear(h, params.get(l), params.get(l + 1), x.directions());
                continue;
            }
            h = tape.jetLinear(h, params.get(l), params.get(l + 1), blocks);
            if (l + 2 < params.size()) h = tape.tanhJet(h, x.directions());
        }
        return Jet.unstack(tape, h, x.directions());
    }

    /** A scalar from every component of the output jet, squared so that the loss is not linear in them. */
    private static Tensor loss(Tape tape, Jet out) {
        Tensor s = tape.sum(tape.square(out.value()));
        for (int i = 0; i < out.directions(); i++) s = tape.add(s, tape.scale(tape.sum(tape.square(out.tangent(i))), 0.7 + i));
        return tape.add(s, tape.scale(tape.sum(tape.square(out.second())), 0.3));
    }

    @Test
    void stackedLayersGiveTheSameBitsAsComponentByComponent() {
        for (Backend backend : List.of(REFERENCE, VECTOR)) {
            qt().withFixedSeed(5).withExamples(20).forAll(longs().all()).checkAssert(seed -> {
                SmallMlp mlp = new SmallMlp(seed);
                try (Tape tape = new Tape(backend)) {
                    List<Tensor> params = mlp.parameters(tape, mlp.weights);
                    Jet x = randomJet(tape, seed + 1);
                    Jet expected = componentWise(tape, params, x);
                    for (boolean fused : new boolean[] {true, false}) {
                        Jet actual = stacked(tape, params, x, fused);
                        String what = (fused ? "fused" : "separate") + " on " + backend.name();
                        assertArrayEquals(expected.value().toArray(), actual.value().toArray(), 0, "value, " + what);
                        for (int i = 0; i < DIRECTIONS; i++) {
                            assertArrayEquals(expected.tangent(i).toArray(), actual.tangent(i).toArray(), 0, "tangent " + i + ", " + what);
                        }
                        assertArrayEquals(expected.second().toArray(), actual.second().toArray(), 0, "second, " + what);
                    }
                }
            });
        }
    }

    @Test
    void theFusedBackwardGivesTheBitsOfItsComposite() {
        qt().withFixedSeed(6).withExamples(20).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int rows = (DIRECTIONS + 2) * POINTS, cols = 5;
            for (Backend backend : List.of(REFERENCE, VECTOR)) {
                try (Tape tape = new Tape(backend)) {
                    Tensor z = tape.tensor(rows, cols, RandomExpression.values(r, rows * cols, -2, 2));
                    Tensor y = tape.tanhJet(z, DIRECTIONS);
                    Tensor g = tape.tensor(rows, cols, RandomExpression.values(r, rows * cols, -1, 1));
                    Tensor fused = tape.tanhJetBackward(y, g, DIRECTIONS);
                    Tensor composite = DerivativeRules.tanhJetBackwardComposite(tape, DIRECTIONS, y, g);
                    assertArrayEquals(composite.toArray(), fused.toArray(), 0, "on " + backend.name());
                }
            }
        });
    }

    /** The weight and input gradients of a loss of the stacked jet: the fused backward, StackRows, RowBlock and JetLinear rules. */
    @Test
    void gradientsMatchFiniteDifferences() {
        qt().withFixedSeed(7).withExamples(15).forAll(longs().all()).checkAssert(seed -> {
            SmallMlp mlp = new SmallMlp(seed);
            double[] byTape, byComponents, inputGradient;
            try (Tape tape = new Tape(REFERENCE)) {
                List<Tensor> params = mlp.parameters(tape, mlp.weights);
                Jet x = randomJet(tape, seed + 1);
                List<Tensor> wrt = new ArrayList<>(params);
                wrt.add(x.tangent(1));
                List<Tensor> g = tape.grad(loss(tape, stacked(tape, params, x)), wrt);
                byTape = HigherOrderTest.flatten(g.subList(0, params.size()));
                inputGradient = g.getLast().toArray();
                byComponents = HigherOrderTest.flatten(tape.grad(loss(tape, componentWise(tape, params, x)), params));
                double[] bySeparate = HigherOrderTest.flatten(tape.grad(loss(tape, stacked(tape, params, x, false)), params));
                assertClose(byComponents, bySeparate, 1e-13, "stacked (separate ops) against component-wise gradient, seed " + seed);
            }
            assertClose(byComponents, byTape, 1e-13, "stacked (fused) against component-wise gradient, seed " + seed);
            double[] expected = new double[mlp.weights.length];
            for (int i = 0; i < expected.length; i++) {
                int p = i;
                expected[i] = FiniteDifferences.derivative(h -> {
                    double[] shifted = mlp.weights.clone();
                    shifted[p] += h;
                    try (Tape tape = new Tape(REFERENCE)) {
                        return loss(tape, stacked(tape, mlp.parameters(tape, shifted), randomJet(tape, seed + 1))).item();
                    }
                });
            }
            assertClose(expected, byTape, 1e-7, "weight gradient, seed " + seed);
            double[] expectedInput = new double[inputGradient.length];
            for (int i = 0; i < expectedInput.length; i++) {
                int e = i;
                expectedInput[i] = FiniteDifferences.derivative(h -> {
                    try (Tape tape = new Tape(REFERENCE)) {
                        Jet x = randomJet(tape, seed + 1);
                        double[] shifted = x.tangent(1).toArray();
                        shifted[e] += h;
                        Jet moved = new Jet(x.value(), List.of(x.tangent(0), tape.tensor(POINTS, INPUTS, shifted)), x.second());
                        return loss(tape, stacked(tape, mlp.parameters(tape, mlp.weights), moved)).item();
                    }
                });
            }
            assertClose(expectedInput, inputGradient, 1e-7, "gradient along the second tangent, seed " + seed);
        });
    }

    /**
     * H·u for the weights, with the first gradient recorded (create graph): differentiates the
     * fused backward by its composite rule. Against finite differences of the gradient along u.
     */
    @Test
    void hessianVectorProductsMatchFiniteDifferencesOfTheGradient() {
        qt().withFixedSeed(8).withExamples(10).forAll(longs().all()).checkAssert(seed -> {
            SmallMlp mlp = new SmallMlp(seed);
            double[] u = RandomExpression.values(new SplittableRandom(seed * 31 + 7), mlp.weights.length, -1, 1);
            double[] hu;
            try (Tape tape = new Tape(REFERENCE)) {
                List<Tensor> params = mlp.parameters(tape, mlp.weights);
                List<Tensor> g = tape.grad(loss(tape, stacked(tape, params, randomJet(tape, seed + 1))), params, true);
                List<Tensor> directions = mlp.parameters(tape, u);
                Tensor directional = null;
                for (int i = 0; i < g.size(); i++) {
                    Tensor term = tape.sum(tape.mul(g.get(i), directions.get(i)));
                    directional = directional == null ? term : tape.add(directional, term);
                }
                hu = HigherOrderTest.flatten(tape.grad(directional, params));
            }
            double[] expected = FiniteDifferences.derivativeOfVector(s -> {
                double[] moved = mlp.weights.clone();
                for (int i = 0; i < moved.length; i++) moved[i] += s * u[i];
                try (Tape tape = new Tape(REFERENCE)) {
                    List<Tensor> params = mlp.parameters(tape, moved);
                    return HigherOrderTest.flatten(tape.grad(loss(tape, stacked(tape, params, randomJet(tape, seed + 1))), params));
                }
            });
            assertClose(expected, hu, 1e-6, "H·u, seed " + seed);
        });
    }

    /**
     * Third order: ∇ₓ(vᵀ·∇²f(x)·v) for f = Σ w ∘ tanhJet(x, a, c) (a jet along one direction,
     * every block weighted), with both inner gradients recorded: the fused backward's rule, then
     * the rules of the ops it was differentiated into. Against finite differences of vᵀ·∇²f·v,
     * itself computed by the tape.
     */
    @Test
    void thirdOrderThroughTheFusedRulesMatchesFiniteDifferences() {
        double[] x0 = {-1.3, -0.2, 0.4, 1.1};
        double[] byTape;
        try (Tape tape = new Tape(REFERENCE)) {
            Tensor x = tape.tensor(1, 4, x0);
            byTape = tape.grad(secondAlongV(tape, x), List.of(x)).getFirst().toArray();
        }
        double[] expected = new double[x0.length];
        for (int j = 0; j < x0.length; j++) {
            int e = j;
            expected[j] = FiniteDifferences.derivative(h -> {
                double[] moved = x0.clone();
                moved[e] += h;
                try (Tape tape = new Tape(REFERENCE)) {
                    return secondAlongV(tape, tape.tensor(1, 4, moved)).item();
                }
            });
        }
        assertClose(expected, byTape, 1e-7, "∇(vᵀ·∇²f·v)");
    }

    /** vᵀ·∇²f(x)·v, recorded, for f = Σ w ∘ tanhJet(stack(x, a, c)). */
    private static Tensor secondAlongV(Tape tape, Tensor x) {
        Tensor a = tape.tensor(1, 4, 0.5, -0.8, 1.2, 0.3), c = tape.tensor(1, 4, 0.1, 0.7, -0.4, 0.9);
        Tensor w = tape.tensor(3, 4, 0.3, -0.6, 0.9, 0.2, -0.5, 0.8, 0.1, -0.7, 0.4, 0.6, -0.2, 0.5);
        Tensor v = tape.tensor(1, 4, 0.9, -0.3, 0.5, 0.7);
        Tensor f = tape.sum(tape.mul(tape.tanhJet(tape.stackRows(x, a, c), 1), w));
        Tensor gv = tape.sum(tape.mul(tape.grad(f, List.of(x), true).getFirst(), v));
        return tape.sum(tape.mul(tape.grad(gv, List.of(x), true).getFirst(), v));
    }

    @Test
    void aRowBlockIsAViewNotACopy() {
        try (Tape tape = new Tape(REFERENCE)) {
            Tensor x = tape.tensor(4, 2, 1, 2, 3, 4, 5, 6, 7, 8);
            long before = NativeMemory.bytesHeld();
            Tensor block = tape.rowBlock(x, 1, 2);
            assertEquals(before, NativeMemory.bytesHeld());
            assertArrayEquals(new double[] {3, 4, 5, 6}, block.toArray());
            // its gradient is the cotangent in place, zeros around it
            Tensor g = tape.grad(tape.sum(tape.mul(block, tape.tensor(2, 2, 1, 2, 3, 4))), List.of(x)).getFirst();
            assertArrayEquals(new double[] {0, 0, 1, 2, 3, 4, 0, 0}, g.toArray());
            assertThrows(IllegalArgumentException.class, () -> tape.rowBlock(x, 3, 2));
        }
    }

    @Test
    void stackAndUnstackRoundTrip() {
        try (Tape tape = new Tape(REFERENCE)) {
            Jet x = randomJet(tape, 3);
            Tensor stacked = x.stack(tape);
            assertEquals(new Shape((DIRECTIONS + 2) * POINTS, INPUTS), stacked.shape());
            Jet back = Jet.unstack(tape, stacked, DIRECTIONS);
            assertArrayEquals(x.value().toArray(), back.value().toArray());
            assertArrayEquals(x.tangent(1).toArray(), back.tangent(1).toArray());
            assertArrayEquals(x.second().toArray(), back.second().toArray());
            assertThrows(IllegalArgumentException.class, () -> Jet.unstack(tape, stacked, 3));
            assertThrows(IllegalArgumentException.class, () -> tape.tanhJet(tape.zeros(5, 2), DIRECTIONS));
        }
    }
}
