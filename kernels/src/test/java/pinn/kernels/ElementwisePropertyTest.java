package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static pinn.kernels.TestData.get;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Every elementwise, broadcast, reduction and optimiser operation of {@link VectorBackend}
 * against {@link ReferenceBackend}, on random lengths (odd ones and the vector length ± 1
 * included), one thread and two, out of place and in place.
 *
 * <p>Tolerances: the arithmetic operations are bit-identical to the reference (they evaluate the
 * same formula operation by operation). exp and log are within 2 ulps of {@link Math}'s (our 1 ulp
 * plus Math's 1), tanh within 5e-16 absolute (our 2.3e-16 plus Math's 2.5 ulps). rowSums adds
 * lanes in a tree: within cols · 2^-53 · Σ|x|. columnSums over several ranges adds the partial
 * sums at the end: within rows · 2^-53 · Σ|x|.
 */
class ElementwisePropertyTest {

    private static final ReferenceBackend REFERENCE = new ReferenceBackend();
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

    /** How an operation is called: inputs x, y, z (as many as it takes) and out. */
    @FunctionalInterface
    interface Call {
        void run(Backend backend, int n, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out);
    }

    enum Op {
        ADD((be, n, x, y, z, out) -> be.add(n, x, y, out), 0),
        SUB((be, n, x, y, z, out) -> be.sub(n, x, y, out), 0),
        MUL((be, n, x, y, z, out) -> be.mul(n, x, y, out), 0),
        DIV((be, n, x, y, z, out) -> be.div(n, x, y, out), 0),
        MUL_ADD((be, n, x, y, z, out) -> be.mulAdd(n, x, y, z, out), 0),
        SCALE((be, n, x, y, z, out) -> be.scale(n, -1.7, x, out), 0),
        ADD_SCALAR((be, n, x, y, z, out) -> be.addScalar(n, 0.3, x, out), 0),
        SQUARE((be, n, x, y, z, out) -> be.square(n, x, out), 0),
        EXP((be, n, x, y, z, out) -> be.exp(n, x, out), 2),
        LOG((be, n, x, y, z, out) -> be.log(n, x, out), 2),
        TANH((be, n, x, y, z, out) -> be.tanh(n, x, out), -5e-16),
        TANH_D1((be, n, x, y, z, out) -> be.tanhDerivative(1, n, x, out), 0),
        TANH_D2((be, n, x, y, z, out) -> be.tanhDerivative(2, n, x, out), 0),
        TANH_D3((be, n, x, y, z, out) -> be.tanhDerivative(3, n, x, out), 0),
        FILL((be, n, x, y, z, out) -> be.fill(n, 2.5, out), 0),
        COPY((be, n, x, y, z, out) -> be.copy(n, x, out), 0);

        final Call call;
        /** 0: bit-identical; > 0: within that many ulps; < 0: within that absolute error. */
        final double tolerance;

        Op(Call call, double tolerance) {
            this.call = call;
            this.tolerance = tolerance;
        }
    }

    static Gen<Integer> lengths() {
        return Generate.pick(List.of(0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 129, 1000))
                .mix(Generate.range(1, 3000));
    }

    @Test
    void everyElementwiseOpMatchesTheReference() {
        qt().withExamples(600)
                .forAll(Generate.enumValues(Op.class), lengths(), Generate.booleans(), Generate.booleans())
                .checkAssert((op, n, split, inPlace) -> {
                    Backend backend = split ? twoThreads : singleThread;
                    try (Arena arena = Arena.ofShared()) { // shared: the workers may touch it
                        long seed = 1000L * n + op.ordinal();
                        // log needs positive inputs; tanh and exp see a wide range; the rest [-1, 1)
                        MemorySegment x = switch (op) {
                            case LOG -> TestData.uniform(arena, n, seed, 1e-6, 1e6);
                            case EXP -> TestData.uniform(arena, n, seed, -700, 700);
                            case TANH -> TestData.uniform(arena, n, seed, -25, 25);
                            default -> TestData.random(arena, n, seed);
                        };
                        MemorySegment y = op == Op.DIV ? TestData.uniform(arena, n, seed + 1, 0.5, 2)
                                : TestData.random(arena, n, seed + 1);
                        MemorySegment z = TestData.random(arena, n, seed + 2);
                        MemorySegment expected = TestData.random(arena, n, seed + 3);
                        op.call.run(REFERENCE, n, x, y, z, expected);
                        MemorySegment input = TestData.copy(arena, x, n);
                        MemorySegment out = inPlace ? x : TestData.random(arena, n, seed + 3);
                        op.call.run(backend, n, x, y, z, out);
                        for (int i = 0; i < n; i++) {
                            int index = i;
                            assertClose(op.tolerance, get(out, i), get(expected, i),
                                    () -> op + " n=" + n + " on " + backend + " at x[" + index + "]=" + get(input, index));
                        }
                    }
                });
    }

    private static void assertClose(double tolerance, double actual, double expected, Supplier<String> what) {
        boolean ok;
        if (tolerance == 0) {
            ok = Double.compare(actual, expected) == 0 || (actual == 0 && expected == 0);
        } else if (tolerance > 0) {
            ok = TestData.ulps(actual, expected) <= tolerance;
        } else {
            ok = Math.abs(actual - expected) <= -tolerance;
        }
        if (!ok) fail(what.get() + ": " + actual + " vs reference " + expected);
    }

    @Test
    void broadcastsAndReductionsMatchTheReference() {
        Gen<Integer> sizes = Generate.pick(List.of(1, 3, 7, 8, 9, 31, 32, 33, 63, 64, 65, 129)).mix(Generate.range(1, 300));
        qt().withExamples(300)
                .forAll(sizes, sizes, Generate.booleans())
                .checkAssert((rows, cols, split) -> {
                    Backend backend = split ? twoThreads : singleThread;
                    try (Arena arena = Arena.ofShared()) { // shared: the workers may touch it
                        long seed = 7919L * rows + cols;
                        long size = (long) rows * cols;
                        MemorySegment x = TestData.random(arena, size, seed);
                        MemorySegment v = TestData.random(arena, cols, seed + 1);
                        double absSum = 0;
                        for (long i = 0; i < size; i++) absSum += Math.abs(get(x, i));

                        MemorySegment out = arena.allocate(size * 8, 64), expected = arena.allocate(size * 8, 64);
                        backend.addRowVector(rows, cols, x, v, out);
                        REFERENCE.addRowVector(rows, cols, x, v, expected);
                        for (long i = 0; i < size; i++) {
                            assertEquals(get(expected, i), get(out, i), 0, "addRowVector " + rows + "x" + cols);
                        }

                        backend.columnSums(rows, cols, x, out);
                        REFERENCE.columnSums(rows, cols, x, expected);
                        double columnTolerance = split ? rows * 0x1p-53 * absSum : 0;
                        for (int c = 0; c < cols; c++) {
                            assertEquals(get(expected, c), get(out, c), columnTolerance, "columnSums " + rows + "x" + cols);
                        }

                        backend.rowSums(rows, cols, x, out);
                        REFERENCE.rowSums(rows, cols, x, expected);
                        for (int r = 0; r < rows; r++) {
                            assertEquals(get(expected, r), get(out, r), cols * 0x1p-53 * absSum, "rowSums " + rows + "x" + cols);
                        }
                    }
                });
    }

    @Test
    void adamMatchesTheReferenceBitForBit() {
        qt().withExamples(200)
                .forAll(lengths(), Generate.range(1, 50), Generate.booleans())
                .checkAssert((n, steps, split) -> {
                    Backend backend = split ? twoThreads : singleThread;
                    AdamConfig config = AdamConfig.withLearningRate(1e-3);
                    try (Arena arena = Arena.ofConfined()) {
                        long seed = 31L * n + steps;
                        MemorySegment params = TestData.random(arena, n, seed), refParams = TestData.copy(arena, params, n);
                        MemorySegment m1 = TestData.random(arena, n, seed + 1), refM1 = TestData.copy(arena, m1, n);
                        MemorySegment m2 = TestData.uniform(arena, n, seed + 2, 0, 1), refM2 = TestData.copy(arena, m2, n);
                        for (int step = 1; step <= steps; step++) {
                            MemorySegment grads = TestData.random(arena, n, seed + 10 + step);
                            backend.adam(n, params, grads, m1, m2, config, step);
                            REFERENCE.adam(n, refParams, grads, refM1, refM2, config, step);
                        }
                        for (int i = 0; i < n; i++) {
                            assertEquals(get(refParams, i), get(params, i), 0, "params " + i);
                            assertEquals(get(refM1, i), get(m1, i), 0, "first moment " + i);
                            assertEquals(get(refM2, i), get(m2, i), 0, "second moment " + i);
                        }
                    }
                });
    }

    @Test
    void tanhDerivativeRejectsOrdersOtherThanOneToThree() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = TestData.random(arena, 4, 1);
            assertThrows(IllegalArgumentException.class, () -> singleThread.tanhDerivative(0, 4, x, x));
            assertThrows(IllegalArgumentException.class, () -> singleThread.tanhDerivative(4, 4, x, x));
        }
    }

    @Test
    void operandsTooShortForTheSizeAreRejectedWithAClearMessage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment small = arena.allocate(8 * 8, 64);
            assertThrows(IllegalArgumentException.class, () -> singleThread.add(9, small, small, small));
            assertThrows(IllegalArgumentException.class, () -> singleThread.gemm(3, 3, 3, small, small, small, false));
            assertThrows(IllegalArgumentException.class, () -> singleThread.gemm(-1, 3, 3, small, small, small, false));
        }
    }
}
