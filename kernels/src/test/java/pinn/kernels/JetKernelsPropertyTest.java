package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static pinn.kernels.TestData.get;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

/**
 * tanh on a stacked Taylor jet, its vector-Jacobian product, and the fused affine layer with tanh
 * and its fused backward ({@link Backend#tanhJet}, {@link Backend#tanhJetBackward},
 * {@link Backend#tanhJetLinear}, {@link Backend#tanhJetLinearBackward}):
 * {@link VectorBackend} against {@link ReferenceBackend} on
 * random block lengths (odd ones and the vector length ± 1 included) and 1 to 4 directions, one
 * thread and two; and the {@link Backend}'s default implementations, which compose the other
 * operations, against the reference too.
 *
 * <p>Tolerances: tanhJetBackward is bit-identical (the same arithmetic, operation for operation).
 * tanhJet's value block is within 5e-16 of the reference (its tanh against {@link Math#tanh}, as
 * in {@code ElementwisePropertyTest}); the derivative blocks inherit that error through
 * d₁ = 1 − t² and d₂ = −2t·d₁ (|∂d₁/∂t| ≤ 2, |∂d₂/∂t| ≤ 2) times inputs of magnitude ≤ 1, plus
 * rounding: within 5e-15. The default implementations fuse some multiply-adds and reorder sums:
 * within 1e-14 (every term is at most a few units in magnitude).
 */
class JetKernelsPropertyTest {

    private static final ReferenceBackend REFERENCE = new ReferenceBackend();
    /** A backend with nothing of its own for jets: the default methods over the reference's other operations. */
    private static final Backend DEFAULTS = defaultsOver(REFERENCE);
    private static VectorBackend singleThread;
    private static VectorBackend twoThreads;

    @BeforeAll
    static void start() {
        singleThread = new VectorBackend(1);
        twoThreads = new VectorBackend(2, true);
    }

    @AfterAll
    static void stop() {
        singleThread.close();
        twoThreads.close();
    }

    @Test
    void tanhJetMatchesTheReference() {
        qt().withExamples(300)
                .forAll(ElementwisePropertyTest.lengths(), Generate.range(1, 4), Generate.pick(List.of(0, 1, 2)))
                .checkAssert((n, directions, which) -> {
                    Backend backend = switch (which) {
                        case 0 -> singleThread;
                        case 1 -> twoThreads;
                        default -> DEFAULTS;
                    };
                    long size = (long) (directions + 2) * n;
                    try (Arena arena = Arena.ofShared()) {
                        long seed = 977L * n + directions;
                        MemorySegment z = TestData.random(arena, size, seed);
                        // a wide range of values, so that tanh saturates in some of them
                        MemorySegment values = TestData.uniform(arena, n, seed + 1, -8, 8);
                        MemorySegment.copy(values, 0, z, 0, n * 8L);
                        MemorySegment expected = TestData.random(arena, size, seed + 2), out = TestData.random(arena, size, seed + 3);
                        REFERENCE.tanhJet(n, directions, z, expected);
                        backend.tanhJet(n, directions, z, out);
                        double valueTolerance = backend == DEFAULTS ? 1e-14 : 5e-16, restTolerance = backend == DEFAULTS ? 1e-14 : 5e-15;
                        for (long i = 0; i < size; i++) {
                            assertWithin(i < n ? valueTolerance : restTolerance, get(expected, i), get(out, i),
                                    "tanhJet n=" + n + " d=" + directions + " on " + backend + " at " + i);
                        }
                    }
                });
    }

    @Test
    void tanhJetBackwardMatchesTheReference() {
        qt().withExamples(300)
                .forAll(ElementwisePropertyTest.lengths(), Generate.range(1, 4), Generate.pick(List.of(0, 1, 2)))
                .checkAssert((n, directions, which) -> {
                    Backend backend = switch (which) {
                        case 0 -> singleThread;
                        case 1 -> twoThreads;
                        default -> DEFAULTS;
                    };
                    long size = (long) (directions + 2) * n;
                    try (Arena arena = Arena.ofShared()) {
                        long seed = 1009L * n + directions;
                        MemorySegment y = TestData.random(arena, size, seed + 1);  // t in [-1, 1), like a tanh
                        MemorySegment g = TestData.random(arena, size, seed + 2);
                        MemorySegment expected = TestData.random(arena, size, seed + 3), out = TestData.random(arena, size, seed + 4);
                        REFERENCE.tanhJetBackward(n, directions, y, g, expected);
                        backend.tanhJetBackward(n, directions, y, g, out);
                        double tolerance = backend == DEFAULTS ? 1e-14 : 0;
                        for (long i = 0; i < size; i++) {
                            assertWithin(tolerance, get(expected, i), get(out, i),
                                    "tanhJetBackward n=" + n + " d=" + directions + " on " + backend + " at " + i);
                        }
                    }
                });
    }

    /**
     * The fused affine layer and tanh against the reference on random shapes (narrow outputs,
     * which take the default path, included). Each pre-activation sums k products of values in
     * [-1, 1) in another order than the reference: within k·2⁻⁵² of it; tanh adds 5e-16, and the
     * derivative blocks multiply by values up to k in magnitude: within 1e-13 for k ≤ 64.
     */
    @Test
    void tanhJetLinearMatchesTheReference() {
        qt().withExamples(150)
                .forAll(Generate.pick(List.of(1, 3, 8, 63, 64, 65, 130, 200)),
                        Generate.pick(List.of(2, 5, 64)), Generate.pick(List.of(1, 7, 8, 64, 72)), Generate.range(0, 8))
                .checkAssert((rows, k, m, choice) -> {
                    int which = choice % 3, directions = 1 + choice / 3; // 1 to 3 directions
                    Backend backend = switch (which) {
                        case 0 -> singleThread;
                        case 1 -> twoThreads;
                        default -> DEFAULTS;
                    };
                    long blocks = directions + 2;
                    try (Arena arena = Arena.ofShared()) {
                        long seed = 31L * rows + 7L * k + m + directions;
                        MemorySegment x = TestData.random(arena, blocks * rows * k, seed);
                        MemorySegment w = TestData.uniform(arena, (long) k * m, seed + 1, -1.0 / Math.sqrt(k), 1.0 / Math.sqrt(k));
                        MemorySegment b = TestData.random(arena, m, seed + 2);
                        MemorySegment expected = TestData.random(arena, blocks * rows * m, seed + 3);
                        MemorySegment out = TestData.random(arena, blocks * rows * m, seed + 4);
                        REFERENCE.tanhJetLinear(rows, directions, k, m, x, w, b, expected);
                        backend.tanhJetLinear(rows, directions, k, m, x, w, b, out);
                        for (long i = 0; i < blocks * rows * m; i++) {
                            assertWithin(1e-13, get(expected, i), get(out, i), "tanhJetLinear rows=" + rows + " d=" + directions
                                    + " k=" + k + " m=" + m + " on " + backend + " at " + i);
                        }
                    }
                });
    }

    /**
     * The fused backward of the affine layer with tanh (dx, dw and the bias sums, with and
     * without dx) against the reference, which composes tanhJetBackward, Aᵀ·B and the column sums.
     * dx = gz·Wᵀ sums k products of magnitude ≤ 2, in another order: within 1e-13. dw and db sum
     * (directions + 2)·rows products of magnitude ≤ 2 each, in another order (by chunks of points,
     * then per-range partial sums): within 2⁻⁵⁰ of the number of terms, relative to their size.
     */
    @Test
    void tanhJetLinearBackwardMatchesTheReference() {
        qt().withExamples(150)
                .forAll(Generate.pick(List.of(1, 3, 8, 63, 64, 65, 130, 300)),
                        Generate.pick(List.of(2, 5, 64)), Generate.pick(List.of(1, 7, 8, 64, 72)), Generate.range(0, 11))
                .checkAssert((rows, k, m, choice) -> {
                    int which = choice % 3, directions = 1 + (choice / 3) % 2;
                    boolean withDx = choice < 6;
                    Backend backend = switch (which) {
                        case 0 -> singleThread;
                        case 1 -> twoThreads;
                        default -> DEFAULTS;
                    };
                    long blocks = directions + 2;
                    try (Arena arena = Arena.ofShared()) {
                        long seed = 37L * rows + 11L * k + m + choice;
                        MemorySegment x = TestData.random(arena, blocks * rows * k, seed);
                        MemorySegment w = TestData.uniform(arena, (long) k * m, seed + 1, -1.0 / Math.sqrt(k), 1.0 / Math.sqrt(k));
                        MemorySegment y = TestData.random(arena, blocks * rows * m, seed + 2);
                        MemorySegment g = TestData.random(arena, blocks * rows * m, seed + 3);
                        MemorySegment dx = TestData.random(arena, blocks * rows * k, seed + 4), dxExpected = TestData.random(arena, blocks * rows * k, seed + 5);
                        MemorySegment dw = TestData.random(arena, (long) k * m, seed + 6), dwExpected = TestData.random(arena, (long) k * m, seed + 7);
                        MemorySegment db = TestData.random(arena, m, seed + 8), dbExpected = TestData.random(arena, m, seed + 9);
                        REFERENCE.tanhJetLinearBackward(rows, directions, k, m, x, w, y, g, dxExpected, dwExpected, dbExpected);
                        backend.tanhJetLinearBackward(rows, directions, k, m, x, w, y, g, withDx ? dx : null, dw, db);
                        String what = "rows=" + rows + " d=" + directions + " k=" + k + " m=" + m + " on " + backend;
                        if (withDx) {
                            for (long i = 0; i < blocks * rows * k; i++) assertWithin(1e-13, get(dxExpected, i), get(dx, i), "dx " + what + " at " + i);
                        }
                        double terms = blocks * rows, sumTolerance = 0x1p-50 * terms * 4;
                        for (long i = 0; i < (long) k * m; i++) assertWithin(sumTolerance, get(dwExpected, i), get(dw, i), "dw " + what + " at " + i);
                        for (long i = 0; i < m; i++) assertWithin(sumTolerance, get(dbExpected, i), get(db, i), "db " + what + " at " + i);
                    }
                });
    }

    /** The reference's tanhJet is the chain rule: value tanh z, tangents d₁·a, second d₁·c + d₂·a₁². */
    @Test
    void theReferenceTanhJetIsTheChainRule() {
        try (Arena arena = Arena.ofConfined()) {
            double z = 0.7, a1 = 0.3, a2 = -1.1, c = 0.25;
            MemorySegment in = TestData.of(arena, z, a1, a2, c), out = arena.allocate(4 * 8, 64);
            REFERENCE.tanhJet(1, 2, in, out);
            double t = Math.tanh(z), d1 = 1 - t * t, d2 = -2 * t * d1;
            double[] expected = {t, d1 * a1, d1 * a2, d1 * c + d2 * a1 * a1};
            for (int i = 0; i < 4; i++) assertWithin(1e-16, expected[i], get(out, i), "component " + i);
        }
    }

    @Test
    void badSizesAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(8 * 8, 64);
            assertThrows(IllegalArgumentException.class, () -> singleThread.tanhJet(3, 2, small, small));   // needs 12
            assertThrows(IllegalArgumentException.class, () -> singleThread.tanhJet(2, 0, small, small));
            assertThrows(IllegalArgumentException.class, () -> singleThread.tanhJetBackward(3, 2, small, small, small));
            assertThrows(IllegalArgumentException.class, () -> singleThread.tanhJetLinear(2, 2, 2, 8, small, small, small, small));
            assertThrows(IllegalArgumentException.class, () -> REFERENCE.tanhJet(2, 0, small, small));
        }
    }

    private static void assertWithin(double tolerance, double expected, double actual, String what) {
        boolean ok = tolerance == 0 ? Double.compare(actual, expected) == 0 || (actual == 0 && expected == 0)
                : Math.abs(actual - expected) <= tolerance;
        if (!ok) fail(what + ": " + actual + " vs reference " + expected);
    }

    /** A Backend whose default methods run as written and whose other methods go to {@code target}. */
    private static Backend defaultsOver(Backend target) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault() && !method.getName().equals("allocate") && !method.getName().equals("close")) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (method.getName().equals("toString") && method.getParameterCount() == 0) return "defaults over " + target.name();
            return invoke(method, target, args);
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
