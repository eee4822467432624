package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Sobol sequence: published values, net properties, digital shifts and the fill contract. */
class SobolTest {

    private static final int ALL = Sobol.MAX_DIMENSIONS;

    @Test
    void firstEightPointsMatchThePublishedSequence() {
        // Joe-Kuo (Gray-code order); identical to SciPy qmc.Sobol(scramble=False).
        double[][] expected = {
            {0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125}, // van der Corput, Gray-code order
            {0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625},
            {0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375},
            {0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125},
        };
        double[] points = Sobol.unshifted(4).points(8);
        for (int dim = 0; dim < 4; dim++) {
            assertArrayEquals(expected[dim], column(points, 4, dim), 0.0, "dimension " + (dim + 1));
        }
    }

    @Test
    void laterPointsInAllDimensionsMatchAnIndependentImplementation() {
        // SciPy 1.17 qmc.Sobol(d=21, scramble=False), rows 1000 and 54321, times 2^16 (exact).
        int[] row1000 = {14400, 6336, 33984, 44352, 18368, 59456, 3008, 58944, 32832, 4544, 5568,
            16704, 10560, 25152, 9408, 24256, 47168, 22592, 64960, 47552, 34240};
        int[] row54321 = {38013, 38699, 48017, 12657, 26599, 37447, 44907, 29445, 62121, 32337,
            5347, 16099, 40331, 58301, 43107, 55413, 8375, 52471, 53837, 56631, 33183};
        Sobol sobol = Sobol.unshifted(ALL);
        assertEquals(21, ALL);
        assertArrayEquals(scaled(row1000), sobol.point(1000), 0.0);
        assertArrayEquals(scaled(row54321), sobol.point(54321), 0.0);
    }

    @Test
    void everyCoordinateIsInTheHalfOpenUnitInterval() {
        for (Sobol sobol : new Sobol[] {Sobol.unshifted(ALL), Sobol.shifted(ALL, 7)}) {
            for (double x : sobol.points(1 << 14)) {
                assertTrue(x >= 0.0 && x < 1.0, sobol + ": " + x);
            }
        }
        // The very last representable point still lies below 1.
        for (double x : Sobol.shifted(ALL, -1).point((1L << Sobol.BITS) - 1)) {
            assertTrue(x >= 0.0 && x < 1.0, "last point: " + x);
        }
    }

    @Test
    void eachOneDimensionalProjectionOfTheFirstPowerOfTwoPointsIsExactlyStratified() {
        // The first 2^k points put exactly one coordinate in each [i/2^k, (i+1)/2^k), in every
        // dimension, with or without a digital shift (XOR by a constant permutes those intervals).
        double[] plain = Sobol.unshifted(ALL).points(1 << 14);
        for (int k = 0; k <= 14; k++) {
            assertStratified(plain, k, "unshifted");
        }
        qt().withExamples(100).forAll(integers().between(0, 12), longs().all()).checkAssert((k, seed) ->
                assertStratified(Sobol.shifted(ALL, seed).points(1 << k), k, "seed " + seed));
    }

    private static void assertStratified(double[] points, int k, String which) {
        int n = 1 << k;
        for (int dim = 0; dim < ALL; dim++) {
            boolean[] occupied = new boolean[n];
            for (int i = 0; i < n; i++) {
                int cell = (int) (points[i * ALL + dim] * n);
                assertFalse(occupied[cell], which + ", dim " + (dim + 1) + ", n=" + n + ", cell " + cell);
                occupied[cell] = true;
            }
        }
    }

    @Test
    void firstTwoDimensionsFormAZeroTwoNet() {
        // Sobol dimensions 1-2 are a (0, 2)-sequence: each of the first 2^m points lies alone in
        // its own box [i/2^a, (i+1)/2^a) × [j/2^(m−a), (j+1)/2^(m−a)), for every split a.
        int m = 12;
        int n = 1 << m;
        double[] points = Sobol.shifted(2, 99).points(n);
        for (int a = 0; a <= m; a++) {
            boolean[] occupied = new boolean[n];
            for (int i = 0; i < n; i++) {
                int cell = ((int) (points[2 * i] * (1 << a)) << (m - a))
                        | (int) (points[2 * i + 1] * (1 << (m - a)));
                assertFalse(occupied[cell], "split 2^-" + a + " x 2^-" + (m - a) + ", point " + i);
                occupied[cell] = true;
            }
        }
    }

    @Test
    void twoDimensionalBoxCountsBeatPseudoRandomPoints() {
        // Mean |fraction of points in a random box − its area| over 2000 boxes, n = 4096. Expected
        // for independent uniform points: √(A(1−A)/n) ≈ 0.005; for Sobol, O(log²n/n).
        int n = 4096;
        Random boxes = new Random(2024);
        double[] pseudoRandom = new double[n * ALL];
        Random uniform = new Random(11);
        for (int i = 0; i < pseudoRandom.length; i++) {
            pseudoRandom[i] = uniform.nextDouble();
        }
        double[][] sobolSets = {Sobol.unshifted(ALL).points(n), Sobol.shifted(ALL, 5).points(n)};
        int[][] pairs = {{0, 1}, {1, 2}, {2, 3}, {0, 3}, {4, 7}, {10, 20}};
        for (int[] pair : pairs) {
            double[][] corners = randomBoxes(boxes, 2000);
            double randomError = meanBoxError(pseudoRandom, ALL, pair, corners);
            for (double[] sobol : sobolSets) {
                double sobolError = meanBoxError(sobol, ALL, pair, corners);
                assertTrue(sobolError < 0.5 * randomError, "dims " + (pair[0] + 1) + "," + (pair[1] + 1)
                        + ": Sobol " + sobolError + " vs pseudo-random " + randomError);
            }
        }
    }

    @Test
    void aSeedDeterminesTheShiftedPointSet() {
        double[] first = Sobol.shifted(4, 42).points(1000);
        assertArrayEquals(first, Sobol.shifted(4, 42).points(1000), 0.0);
        assertFalse(Arrays.equals(first, Sobol.shifted(4, 43).points(1000)));
        assertFalse(Arrays.equals(first, Sobol.unshifted(4).points(1000)));
        // The shift is digital: per dimension, the same bits are flipped in every point.
        double[] plain = Sobol.unshifted(4).points(1000);
        for (int dim = 0; dim < 4; dim++) {
            long mask = bits(first[dim]) ^ bits(plain[dim]);
            for (int i = 1; i < 1000; i++) {
                assertEquals(mask, bits(first[4 * i + dim]) ^ bits(plain[4 * i + dim]));
            }
        }
    }

    @Test
    void fillContinuesTheSequenceFromAnyIndex() {
        // Runs from any start equal the corresponding slice of the sequence and the per-point
        // random access, including far out where the Gray code has many bits set.
        Sobol sobol = Sobol.shifted(ALL, 3);
        qt().forAll(longs().between(0, (1L << 40)), integers().between(0, 300)).checkAssert((start, count) -> {
            double[] run = new double[count * ALL + 5];
            sobol.fill(start, count, run, 5);
            for (int i = 0; i < count; i += Math.max(1, count / 7)) {
                assertArrayEquals(sobol.point(start + i), Arrays.copyOfRange(run, 5 + i * ALL, 5 + (i + 1) * ALL), 0.0);
            }
        });
        double[] whole = sobol.points(1000);
        double[] pieces = new double[1000 * ALL];
        sobol.fill(0, 377, pieces, 0);
        sobol.fill(377, 623, pieces, 377 * ALL);
        assertArrayEquals(whole, pieces, 0.0);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Sobol.unshifted(0));
        assertThrows(IllegalArgumentException.class, () -> Sobol.shifted(ALL + 1, 1));
        Sobol sobol = Sobol.unshifted(4);
        assertThrows(IllegalArgumentException.class, () -> sobol.points(-1));
        assertThrows(IllegalArgumentException.class, () -> sobol.fill(-1, 1, new double[4], 0));
        assertThrows(IllegalArgumentException.class, () -> sobol.fill(0, 2, new double[7], 0));
        assertThrows(IllegalArgumentException.class, () -> sobol.fill(0, 1, new double[4], 1));
        assertThrows(IllegalArgumentException.class, () -> sobol.fill((1L << Sobol.BITS) - 1, 2, new double[8], 0));
    }

    private static double[] column(double[] points, int dimensions, int dim) {
        double[] out = new double[points.length / dimensions];
        for (int i = 0; i < out.length; i++) {
            out[i] = points[i * dimensions + dim];
        }
        return out;
    }

    private static double[] scaled(int[] numerators) {
        return Arrays.stream(numerators).mapToDouble(k -> k / 65536.0).toArray();
    }

    private static long bits(double unitCoordinate) {
        return (long) (unitCoordinate * 0x1.0p52);
    }

    /** Boxes [x0, x1) × [y0, y1) with corners drawn uniformly. */
    private static double[][] randomBoxes(Random random, int count) {
        double[][] boxes = new double[count][];
        for (int b = 0; b < count; b++) {
            double x0 = random.nextDouble();
            double x1 = random.nextDouble();
            double y0 = random.nextDouble();
            double y1 = random.nextDouble();
            boxes[b] = new double[] {Math.min(x0, x1), Math.max(x0, x1), Math.min(y0, y1), Math.max(y0, y1)};
        }
        return boxes;
    }

    private static double meanBoxError(double[] points, int dimensions, int[] pair, double[][] boxes) {
        int n = points.length / dimensions;
        double total = 0;
        for (double[] box : boxes) {
            int inside = 0;
            for (int i = 0; i < n; i++) {
                double x = points[i * dimensions + pair[0]];
                double y = points[i * dimensions + pair[1]];
                if (x >= box[0] && x < box[1] && y >= box[2] && y < box[3]) {
                    inside++;
                }
            }
            total += Math.abs((double) inside / n - (box[1] - box[0]) * (box[3] - box[2]));
        }
        return total / boxes.length;
    }
}
