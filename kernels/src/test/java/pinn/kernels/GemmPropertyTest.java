package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static pinn.kernels.TestData.get;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Every GEMM form of {@link VectorBackend} agrees with {@link ReferenceBackend} on random shapes,
 * odd sizes included, single-threaded and split over two threads, with and without accumulate.
 *
 * <p>Tolerance: |C − C_ref| ≤ 1e-13 · (|A|·|B| + |C₀| + |bias|) elementwise, the usual bound for
 * sums of k rounded products (here k ≤ 150, so the true error is below 2e-14 of that).
 */
class GemmPropertyTest {

    private static final double TOLERANCE = 1e-13;
    private static final ReferenceBackend REFERENCE = new ReferenceBackend();
    private static VectorBackend singleThread;
    private static VectorBackend twoThreads;

    enum Form { AB, AT_B, A_BT, AB_PLUS_BIAS }

    record Shape(int m, int n, int k) {}

    @BeforeAll
    static void start() {
        singleThread = new VectorBackend(1);
        twoThreads = new VectorBackend(2, true); // splits even the smallest calls
    }

    @AfterAll
    static void stop() {
        singleThread.close();
        twoThreads.close();
    }

    /** The awkward sizes (around the vector length of 8 and the tile width of 64) and random ones. */
    static Gen<Integer> sizes() {
        return Generate.pick(List.of(1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 129))
                .mix(Generate.range(1, 150));
    }

    static Gen<Shape> shapes() {
        return sizes().zip(sizes(), sizes(), Shape::new);
    }

    @Test
    void everyFormMatchesTheReferenceOnRandomShapes() {
        qt().withExamples(400)
                .forAll(Generate.enumValues(Form.class), shapes(), Generate.booleans(), Generate.booleans())
                .checkAssert((form, shape, split, accumulate) ->
                        assertMatchesReference(form, shape, split ? twoThreads : singleThread, accumulate,
                                31L * shape.hashCode() + form.ordinal()));
    }

    @Test
    void theShapesOfTheNetworkMatchTheReference() {
        // A 4 → 64 → 64 → 1 MLP: forward, backward for the inputs, and the weight gradients.
        List<Shape> shapes = List.of(
                new Shape(1, 64, 4), new Shape(1, 1, 64), new Shape(1, 64, 64), new Shape(257, 64, 4),
                new Shape(257, 1, 64), new Shape(1000, 64, 64), new Shape(64, 64, 1000), new Shape(4, 64, 1000),
                new Shape(64, 1, 1000), new Shape(1000, 4, 64), new Shape(1000, 64, 1), new Shape(0, 64, 64),
                new Shape(64, 0, 64), new Shape(64, 64, 0), new Shape(3, 5, 2000));
        for (VectorBackend backend : List.of(singleThread, twoThreads)) {
            for (Shape shape : shapes) {
                for (Form form : Form.values()) {
                    assertMatchesReference(form, shape, backend, false, shape.hashCode());
                    if (form != Form.AB_PLUS_BIAS) assertMatchesReference(form, shape, backend, true, shape.hashCode());
                }
            }
        }
    }

    static void assertMatchesReference(Form form, Shape shape, Backend backend, boolean accumulate, long seed) {
        int m = shape.m(), n = shape.n(), k = shape.k();
        boolean bias = form == Form.AB_PLUS_BIAS;
        try (Arena arena = Arena.ofShared()) { // shared: the workers may touch it
            MemorySegment a = TestData.random(arena, (long) m * k, seed);
            MemorySegment b = TestData.random(arena, (long) k * n, seed + 1);
            MemorySegment biasRow = TestData.random(arena, n, seed + 2);
            MemorySegment c = TestData.random(arena, (long) m * n, seed + 3); // garbage unless accumulating
            MemorySegment expected = TestData.copy(arena, c, (long) m * n);
            run(backend, form, m, n, k, a, b, biasRow, c, accumulate && !bias);
            run(REFERENCE, form, m, n, k, a, b, biasRow, expected, accumulate && !bias);

            // The scale of each element: the same product over absolute values.
            MemorySegment scale = arena.allocate(Math.max(1, (long) m * n) * Double.BYTES, 64);
            run(REFERENCE, form, m, n, k, TestData.abs(arena, a, (long) m * k), TestData.abs(arena, b, (long) k * n),
                    TestData.abs(arena, biasRow, n), scale, false);
            MemorySegment initial = TestData.random(arena, (long) m * n, seed + 3);
            for (long i = 0; i < (long) m * n; i++) {
                double bound = get(scale, i) + (accumulate && !bias ? Math.abs(get(initial, i)) : 0);
                double error = Math.abs(get(c, i) - get(expected, i));
                if (!(error <= TOLERANCE * bound)) {
                    fail(form + " " + shape + " accumulate=" + accumulate + " on " + backend + ": element " + i
                            + " is " + get(c, i) + ", reference " + get(expected, i) + ", error " + error
                            + " > " + TOLERANCE + " × " + bound);
                }
            }
        }
    }

    private static void run(Backend backend, Form form, int m, int n, int k, MemorySegment a, MemorySegment b,
                            MemorySegment bias, MemorySegment c, boolean accumulate) {
        // The same numbers are read as A (m×k) and B (k×n) in every form; only the layout differs.
        switch (form) {
            case AB -> backend.gemm(m, n, k, a, b, c, accumulate);
            case AT_B -> backend.gemmTransA(m, n, k, a, b, c, accumulate);
            case A_BT -> backend.gemmTransB(m, n, k, a, b, c, accumulate);
            case AB_PLUS_BIAS -> backend.gemmBias(m, n, k, a, b, bias, c);
        }
    }

    @Test
    void gemmBiasAddsTheBiasToEveryRow() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = TestData.of(arena, 1, 2, 3, 4, 5, 6);        // 2 × 3
            MemorySegment b = TestData.of(arena, 1, 0, 0, 1, 1, 1);        // 3 × 2
            MemorySegment bias = TestData.of(arena, 10, 20);
            MemorySegment c = TestData.of(arena, 0, 0, 0, 0);
            singleThread.gemmBias(2, 2, 3, a, b, bias, c);
            double[] expected = {1 + 3 + 10, 2 + 3 + 20, 4 + 6 + 10, 5 + 6 + 20};
            for (int i = 0; i < 4; i++) assertTrue(get(c, i) == expected[i], "element " + i + " = " + get(c, i));
        }
    }
}
