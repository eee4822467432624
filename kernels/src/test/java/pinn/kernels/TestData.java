package pinn.kernels;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Test operands: seeded random native matrices, and element access for assertions. */
final class TestData {

    private TestData() {}

    /** n values uniform in [lo, hi), 64-byte aligned like {@link Backend#allocate}. */
    static MemorySegment uniform(Arena arena, long n, long seed, double lo, double hi) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Double.BYTES, 64);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(JAVA_DOUBLE, i, lo + (hi - lo) * random.nextDouble());
        return s;
    }

    /** n values uniform in [-1, 1). */
    static MemorySegment random(Arena arena, long n, long seed) {
        return uniform(arena, n, seed, -1, 1);
    }

    static MemorySegment copy(Arena arena, MemorySegment source, long n) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Double.BYTES, 64);
        MemorySegment.copy(source, 0, s, 0, n * Double.BYTES);
        return s;
    }

    /** |x| elementwise, into a new segment. */
    static MemorySegment abs(Arena arena, MemorySegment source, long n) {
        MemorySegment s = arena.allocate(Math.max(1, n) * Double.BYTES, 64);
        for (long i = 0; i < n; i++) s.setAtIndex(JAVA_DOUBLE, i, Math.abs(source.getAtIndex(JAVA_DOUBLE, i)));
        return s;
    }

    static double get(MemorySegment s, long i) {
        return s.getAtIndex(JAVA_DOUBLE, i);
    }

    static MemorySegment of(Arena arena, double... values) {
        MemorySegment s = arena.allocate(Math.max(1, values.length) * (long) Double.BYTES, 64);
        for (int i = 0; i < values.length; i++) s.setAtIndex(JAVA_DOUBLE, i, values[i]);
        return s;
    }

    /** The distance from a to b in units in the last place of b (0 when both are the same NaN/infinity). */
    static double ulps(double actual, double expected) {
        if (Double.compare(actual, expected) == 0) return 0;
        if (Double.isNaN(actual) || Double.isNaN(expected) || Double.isInfinite(actual) || Double.isInfinite(expected)) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.abs(actual - expected) / Math.ulp(expected);
    }
}
