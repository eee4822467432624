package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import pinn.autodiff.Jet;
import pinn.autodiff.Shape;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.kernels.AdamConfig;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;
import pinn.kernels.ReferenceBackend;

class MlpTest {

    private static final Backend BACKEND = new ReferenceBackend();
    private static final int[] PINN = {4, 64, 64, 64, 64, 1};

    @Test
    void parametersHaveTheLayerShapes() {
        try (Mlp mlp = new Mlp(BACKEND, PINN, 1)) {
            assertEquals(5, mlp.layers());
            assertEquals(List.of(new Shape(4, 64), new Shape(64, 64), new Shape(64, 64), new Shape(64, 64), new Shape(64, 1)),
                    mlp.weights().stream().map(Tensor::shape).toList());
            assertEquals(List.of(new Shape(1, 64), new Shape(1, 64), new Shape(1, 64), new Shape(1, 64), new Shape(1, 1)),
                    mlp.biases().stream().map(Tensor::shape).toList());
            assertEquals(4 * 64 + 64 + 3 * (64 * 64 + 64) + 64 + 1, mlp.parameterCount());
            assertEquals(mlp.weights().getFirst(), mlp.parameters().getFirst());
            assertEquals(mlp.biases().getFirst(), mlp.parameters().get(1));
            try (Tape tape = new Tape(BACKEND)) {
                assertEquals(new Shape(10, 1), mlp.forward(tape, tape.zeros(10, 4)).shape());
                assertThrows(IllegalArgumentException.class, () -> mlp.forward(tape, tape.zeros(10, 3)));
            }
        }
    }

    @Test
    void initialisationIsDeterministicXavierUniform() {
        try (Mlp a = new Mlp(BACKEND, PINN, 42); Mlp b = new Mlp(BACKEND, PINN, 42); Mlp c = new Mlp(BACKEND, PINN, 43)) {
            assertArrayEquals(a.exportParameters(), b.exportParameters());
            assertFalse(Arrays.equals(a.exportParameters(), c.exportParameters()));
            for (int l = 0; l < a.layers(); l++) {
                double limit = Math.sqrt(6.0 / (PINN[l] + PINN[l + 1]));
                double[] w = a.weights().get(l).toArray();
                double max = Arrays.stream(w).map(Math::abs).max().orElseThrow();
                assertTrue(max <= limit && max > 0.8 * limit, "layer " + l + ": max |w| " + max + ", limit " + limit);
                assertEquals(0, Arrays.stream(w).average().orElseThrow(), 0.2 * limit);
                assertArrayEquals(new double[PINN[l + 1]], a.biases().get(l).toArray());
            }
        }
    }

    @Test
    void parametersRoundTripThroughFlatArrays() {
        try (Mlp a = new Mlp(BACKEND, new int[] {3, 5, 2}, 7)) {
            double[] flat = a.exportParameters();
            flat[flat.length - 1] = 0.25; // the last output bias
            try (Mlp b = Mlp.fromParameters(BACKEND, a.sizes(), flat); Tape tape = new Tape(BACKEND)) {
                assertArrayEquals(flat, b.exportParameters());
                assertEquals(0.25, b.biases().getLast().get(0, 1));
                Tensor x = tape.tensor(1, 3, 0.1, 0.2, 0.3);
                assertEquals(a.forward(tape, x).get(0, 0), b.forward(tape, x).get(0, 0), 0);
                assertEquals(a.forward(tape, x).get(0, 1) + 0.25 - a.biases().getLast().get(0, 1), b.forward(tape, x).get(0, 1), 1e-15);
            }
            assertThrows(IllegalArgumentException.class, () -> a.loadParameters(new double[3]));
        }
    }

    @Test
    void closingTheModelFreesItsParameters() {
        long before = NativeMemory.bytesHeld();
        Mlp mlp = new Mlp(BACKEND, PINN, 1);
        new Adam(mlp, AdamConfig.withLearningRate(1e-3));
        assertTrue(NativeMemory.bytesHeld() >= before + 3L * 8 * mlp.parameterCount());
        Tensor w = mlp.weights().getFirst();
        mlp.close();
        assertEquals(before, NativeMemory.bytesHeld());
        assertThrows(IllegalStateException.class, w::toArray);
    }

    /** Jets through the network agree with nested reverse mode, point by point. */
    @Test
    void jetsAgreeWithNestedReverseMode() {
        int points = 6;
        qt().withFixedSeed(3).withExamples(10).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            try (Mlp mlp = new Mlp(BACKEND, new int[] {4, 16, 16, 1}, seed); Tape tape = new Tape(BACKEND)) {
                Tensor x = tape.tensor(points, 4, values(random, points * 4));
                Tensor dS = tape.tensor(points, 4, values(random, points * 4));
                Tensor dTau = tape.tensor(points, 4, values(random, points * 4));
                Tensor x2 = tape.tensor(points, 4, values(random, points * 4));
                Jet out = mlp.forwardJet(tape, new Jet(x, List.of(dS, dTau), x2));

                Tensor value = mlp.forward(tape, x);
                Tensor g = tape.grad(tape.sum(value), List.of(x), true).getFirst();
                Tensor vS = tape.rowSums(tape.mul(g, dS));
                Tensor vTau = tape.rowSums(tape.mul(g, dTau));
                Tensor hS = tape.grad(tape.sum(vS), List.of(x)).getFirst();
                Tensor vSS = tape.add(tape.rowSums(tape.mul(hS, dS)), tape.rowSums(tape.mul(g, x2)));

                assertArrayEquals(value.toArray(), out.value().toArray(), 1e-15);
                assertArrayEquals(vS.toArray(), out.tangent(0).toArray(), 1e-13);
                assertArrayEquals(vTau.toArray(), out.tangent(1).toArray(), 1e-13);
                assertArrayEquals(vSS.toArray(), out.second().toArray(), 1e-12);
            }
        });
    }

    /**
     * The stacked jet pass (one GEMM and one fused tanh pass per layer) gives the bits of the
     * component-by-component pass, on the reference and on the vector backend with two threads at
     * a size where every op is split; the weight gradients of a loss of all components agree to
     * rounding (they add the same terms in another order): within 1e-12 of the largest.
     */
    @Test
    void stackedJetsGiveTheBitsOfComponentByComponentJets() {
        int points = 1500;
        SplittableRandom random = new SplittableRandom(17);
        double[] x = values(random, points * 4), dS = values(random, points * 4), dTau = values(random, points * 4), x2 = values(random, points * 4);
        try (pinn.kernels.VectorBackend vector = new pinn.kernels.VectorBackend(2)) {
            for (Backend backend : List.of(BACKEND, vector)) {
                try (Mlp mlp = new Mlp(backend, new int[] {4, 64, 64, 1}, 3); Tape tape = new Tape(backend)) {
                    Jet in = new Jet(tape.tensor(points, 4, x), List.of(tape.tensor(points, 4, dS), tape.tensor(points, 4, dTau)),
                            tape.tensor(points, 4, x2));
                    Jet stacked = mlp.forwardJet(tape, in), components = mlp.forwardJetByComponents(tape, in);
                    assertArrayEquals(components.value().toArray(), stacked.value().toArray(), backend.name());
                    assertArrayEquals(components.tangent(0).toArray(), stacked.tangent(0).toArray(), backend.name());
                    assertArrayEquals(components.tangent(1).toArray(), stacked.tangent(1).toArray(), backend.name());
                    assertArrayEquals(components.second().toArray(), stacked.second().toArray(), backend.name());
                    double[] byStacked = flatten(tape.grad(jetLoss(tape, stacked), mlp.parameters()));
                    double[] byComponents = flatten(tape.grad(jetLoss(tape, components), mlp.parameters()));
                    double scale = Arrays.stream(byComponents).map(Math::abs).max().orElseThrow();
                    assertArrayEquals(byComponents, byStacked, 1e-12 * scale, backend.name());
                }
            }
        }
    }

    private static Tensor jetLoss(Tape tape, Jet v) {
        Tensor loss = tape.add(tape.mean(tape.square(v.value())), tape.mean(tape.square(v.tangent(0))));
        return tape.add(loss, tape.add(tape.mean(tape.square(v.tangent(1))), tape.mean(tape.square(v.second()))));
    }

    private static double[] flatten(List<Tensor> tensors) {
        return tensors.stream().flatMapToDouble(t -> Arrays.stream(t.toArray())).toArray();
    }

    /** Adam's first step moves each parameter by almost exactly the learning rate against its gradient's sign. */
    @Test
    void adamFirstStepMovesEachParameterByTheLearningRate() {
        try (Mlp mlp = new Mlp(BACKEND, new int[] {2, 3, 1}, 5); Tape tape = new Tape(BACKEND)) {
            double[] before = mlp.exportParameters();
            Tensor x = tape.tensor(4, 2, 0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8);
            Tensor loss = tape.mean(tape.square(tape.addScalar(mlp.forward(tape, x), -1)));
            List<Tensor> g = tape.grad(loss, mlp.parameters());
            double[] flatGradient = new double[before.length];
            int offset = 0;
            for (Tensor t : g) {
                System.arraycopy(t.toArray(), 0, flatGradient, offset, t.size());
                offset += t.size();
            }
            Adam adam = new Adam(mlp, AdamConfig.withLearningRate(0.01));
            adam.step(g);
            assertEquals(1, adam.steps());
            double[] after = mlp.exportParameters();
            for (int i = 0; i < before.length; i++) {
                double expected = before[i] - 0.01 * flatGradient[i] / (Math.abs(flatGradient[i]) + 1e-8);
                assertEquals(expected, after[i], 1e-12, "parameter " + i);
            }
            assertThrows(IllegalArgumentException.class, () -> adam.step(g.subList(0, 2)));
        }
    }

    @Test
    void adamReducesASimpleLoss() {
        try (Mlp mlp = new Mlp(BACKEND, new int[] {1, 8, 1}, 9)) {
            Adam adam = new Adam(mlp, AdamConfig.withLearningRate(0.02));
            double first = 0, last = 0;
            for (int step = 0; step < 200; step++) {
                try (Tape tape = new Tape(BACKEND)) {
                    Tensor x = tape.tensor(8, 1, -1, -0.7, -0.4, -0.1, 0.1, 0.4, 0.7, 1);
                    Tensor target = tape.square(x);
                    Tensor loss = tape.mean(tape.square(tape.sub(mlp.forward(tape, x), target)));
                    if (step == 0) first = loss.item();
                    last = loss.item();
                    adam.step(tape.grad(loss, mlp.parameters()));
                }
            }
            assertTrue(last < 0.05 * first, "loss went from " + first + " to " + last);
        }
    }

    private static double[] values(SplittableRandom random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 2 * random.nextDouble() - 1;
        return v;
    }
}
