package pinn.runtime;

import java.util.Arrays;

/**
 * A Sobol low-discrepancy sequence in up to {@value #MAX_DIMENSIONS} dimensions, for quasi-random
 * collocation points in the unit cube (one coordinate per PDE input: S/K, τ, σ, r, ... each mapped
 * to its range by the caller).
 *
 * <p>Dimension 1 is the van der Corput sequence in base 2; dimensions 2 and up use the primitive
 * polynomials and initial direction numbers m₁…mₛ of S. Joe and F. Y. Kuo's table
 * {@code new-joe-kuo-6.21201} ("Constructing Sobol sequences with better two-dimensional
 * projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654). Points are generated in Gray-code order
 * (Antonov and Saleev), so point n is the XOR of the direction numbers picked by the bits of
 * n ⊕ (n ≫ 1); the unshifted sequence therefore equals the common reference implementations
 * (Joe-Kuo's own, SciPy's {@code qmc.Sobol(scramble=False)}) point for point.
 *
 * <p>An optional random digital shift XORs every coordinate of dimension j with a fixed 52-bit
 * mask drawn from a seed. It keeps every stratification property of the sequence (XOR by a
 * constant only permutes dyadic intervals) while giving independent, reproducible point sets
 * per seed and moving the sequence off the exact origin.
 *
 * <p>Coordinates carry {@value #BITS} bits, so they are exact doubles in [0, 1), and the first
 * 2^{@value #BITS} points are distinct. Instances are immutable and thread-safe.
 */
public final class Sobol {

    /** Bits per coordinate: a double represents k/2^52 exactly for every integer k &lt; 2^52. */
    public static final int BITS = 52;

    /*
     * Rows of new-joe-kuo-6.21201 for dimensions 2, 3, ...: degree s of the primitive polynomial,
     * its inner coefficients a (bit s−2 ... bit 0 = a₁ ... a_{s−1}), then the initial m₁ ... mₛ
     * (each m_k odd and < 2^k).
     */
    private static final int[][] JOE_KUO_ROWS = {
        {1, 0, 1},
        {2, 1, 1, 3},
        {3, 1, 1, 3, 1},
        {3, 2, 1, 1, 1},
        {4, 1, 1, 1, 3, 3},
        {4, 4, 1, 3, 5, 13},
        {5, 2, 1, 1, 5, 5, 17},
        {5, 4, 1, 1, 5, 5, 5},
        {5, 7, 1, 1, 7, 11, 19},
        {5, 11, 1, 1, 5, 1, 1},
        {5, 13, 1, 1, 1, 3, 11},
        {5, 14, 1, 3, 5, 5, 31},
        {6, 1, 1, 3, 3, 9, 7, 49},
        {6, 13, 1, 1, 1, 15, 21, 21},
        {6, 16, 1, 3, 1, 13, 27, 49},
        {6, 19, 1, 1, 1, 15, 7, 5},
        {6, 22, 1, 3, 1, 15, 13, 25},
        {6, 25, 1, 1, 5, 5, 19, 61},
        {7, 1, 1, 3, 7, 11, 23, 15, 103},
        {7, 4, 1, 3, 7, 13, 13, 15, 69},
    };

    /** The most dimensions a sequence can have: van der Corput plus one per table row. */
    public static final int MAX_DIMENSIONS = 21;

    /** DIRECTIONS[j][k] = v_{k+1} of dimension j+1, i.e. m_{k+1}·2^{BITS−k−1}. */
    private static final long[][] DIRECTIONS = directionNumbers();

    private static final double ULP = 0x1.0p-52; // 2^−BITS

    private final int dimensions;
    /** Per-dimension XOR mask of the digital shift; all zero for the plain sequence. */
    private final long[] shift;

    private Sobol(int dimensions, long[] shift) {
        this.dimensions = dimensions;
        this.shift = shift;
    }

    /**
     * The plain Sobol sequence; its point 0 is the origin.
     *
     * @param dimensions number of coordinates per point, 1 to {@value #MAX_DIMENSIONS}
     * @return the generator
     * @throws IllegalArgumentException if {@code dimensions} is out of range
     */
    public static Sobol unshifted(int dimensions) {
        return new Sobol(checkDimensions(dimensions), new long[dimensions]);
    }

    /**
     * The Sobol sequence under a random digital shift derived from {@code seed}: equal seeds give
     * equal point sets on every JVM, different seeds different ones.
     *
     * @param dimensions number of coordinates per point, 1 to {@value #MAX_DIMENSIONS}
     * @param seed any value; it seeds a SplitMix64 stream, one draw per dimension
     * @return the generator
     * @throws IllegalArgumentException if {@code dimensions} is out of range
     */
    public static Sobol shifted(int dimensions, long seed) {
        checkDimensions(dimensions);
        long[] shift = new long[dimensions];
        long state = seed;
        for (int j = 0; j < dimensions; j++) {
            state += 0x9E3779B97F4A7C15L;
            shift[j] = splitMix64(state) >>> (Long.SIZE - BITS);
        }
        return new Sobol(dimensions, shift);
    }

    /**
     * The number of coordinates per point.
     *
     * @return the dimension d of the sequence
     */
    public int dimensions() {
        return dimensions;
    }

    /**
     * The first {@code count} points, row-major.
     *
     * @param count number of points, ≥ 0
     * @return an array of {@code count × dimensions()} coordinates in [0, 1); coordinate j of
     *     point i is at index {@code i * dimensions() + j}
     */
    public double[] points(int count) {
        if (count < 0 || (long) count * dimensions > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "count must be >= 0 and count * dimensions fit an array, got count " + count);
        }
        double[] out = new double[count * dimensions];
        fill(0, count, out, 0);
        return out;
    }

    /**
     * Writes points {@code firstIndex} ... {@code firstIndex + count − 1} into {@code out},
     * row-major from {@code offset}: coordinate j of point firstIndex + i goes to
     * {@code out[offset + i * dimensions() + j]}. Consecutive calls continue the sequence when
     * each starts where the last ended.
     *
     * @param firstIndex index of the first point, ≥ 0
     * @param count number of points, ≥ 0
     * @param out destination, with room for {@code count * dimensions()} values from offset
     * @param offset first index of out to write
     * @throws IllegalArgumentException if the indices leave the sequence or out is too short
     */
    public void fill(long firstIndex, int count, double[] out, int offset) {
        if (firstIndex < 0 || count < 0 || firstIndex > (1L << BITS) - count) {
            throw new IllegalArgumentException("points " + firstIndex + " + " + count
                    + " leave the sequence [0, 2^" + BITS + ")");
        }
        if (offset < 0 || (long) offset + (long) count * dimensions > out.length) {
            throw new IllegalArgumentException("out has " + out.length + " slots, need "
                    + (long) count * dimensions + " from offset " + offset);
        }
        long[] state = new long[dimensions];
        long gray = firstIndex ^ (firstIndex >>> 1);
        for (int j = 0; j < dimensions; j++) {
            state[j] = pointCoordinate(j, gray);
        }
        int at = offset;
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < dimensions; j++) {
                out[at++] = (state[j] ^ shift[j]) * ULP;
            }
            // Gray code: points n and n+1 differ by exactly one direction number, the one at the
            // position of the lowest set bit of n+1.
            int changedBit = Long.numberOfTrailingZeros(firstIndex + i + 1);
            if (changedBit < BITS) {
                for (int j = 0; j < dimensions; j++) {
                    state[j] ^= DIRECTIONS[j][changedBit];
                }
            }
        }
    }

    /**
     * One point, for random access; {@link #fill} is cheaper for runs of points.
     *
     * @param index the point's position in the sequence, 0 ≤ index &lt; 2^52
     * @return its {@code dimensions()} coordinates in [0, 1)
     */
    public double[] point(long index) {
        double[] out = new double[dimensions];
        fill(index, 1, out, 0);
        return out;
    }

    @Override
    public String toString() {
        boolean isShifted = Arrays.stream(shift).anyMatch(s -> s != 0);
        return "Sobol[dimensions=" + dimensions + (isShifted ? ", digitally shifted]" : "]");
    }

    private static long pointCoordinate(int dimension, long gray) {
        long x = 0;
        for (long bits = gray; bits != 0; bits &= bits - 1) {
            x ^= DIRECTIONS[dimension][Long.numberOfTrailingZeros(bits)];
        }
        return x;
    }

    private static int checkDimensions(int dimensions) {
        if (dimensions < 1 || dimensions > MAX_DIMENSIONS) {
            throw new IllegalArgumentException(
                    "dimensions must be in [1, " + MAX_DIMENSIONS + "], got " + dimensions);
        }
        return dimensions;
    }

    /** SplitMix64's output function (Steele, Lea, Flood 2014): a fixed, well-mixed 64-bit hash. */
    private static long splitMix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /*
     * Bratley-Fox recurrence: for a primitive polynomial x^s + a₁x^{s−1} + ... + a_{s−1}x + 1,
     * m_k = 2a₁m_{k−1} ⊕ 2²a₂m_{k−2} ⊕ ... ⊕ 2^{s−1}a_{s−1}m_{k−s+1} ⊕ 2^s m_{k−s} ⊕ m_{k−s}.
     * Dimension 1 has all m_k = 1, i.e. v_k = 2^{−k}: the van der Corput sequence.
     */
    private static long[][] directionNumbers() {
        if (JOE_KUO_ROWS.length + 1 != MAX_DIMENSIONS) {
            throw new IllegalStateException("direction table and MAX_DIMENSIONS disagree");
        }
        long[][] v = new long[MAX_DIMENSIONS][BITS];
        for (int k = 0; k < BITS; k++) {
            v[0][k] = 1L << (BITS - 1 - k);
        }
        for (int j = 1; j < MAX_DIMENSIONS; j++) {
            int[] row = JOE_KUO_ROWS[j - 1];
            int degree = row[0];
            int inner = row[1];
            long[] m = new long[BITS];
            for (int k = 0; k < degree; k++) {
                m[k] = row[2 + k];
            }
            for (int k = degree; k < BITS; k++) {
                long next = m[k - degree] ^ (m[k - degree] << degree);
                for (int i = 1; i < degree; i++) {
                    if (((inner >>> (degree - 1 - i)) & 1) != 0) {
                        next ^= m[k - i] << i;
                    }
                }
                m[k] = next;
            }
            for (int k = 0; k < BITS; k++) {
                v[j][k] = m[k] << (BITS - 1 - k);
            }
        }
        return v;
    }
}
