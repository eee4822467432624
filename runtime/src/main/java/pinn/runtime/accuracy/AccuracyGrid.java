package pinn.runtime.accuracy;

import java.util.Arrays;
import java.util.Objects;
import pinn.runtime.OptionPoints;
import pinn.runtime.model.Domain;

/**
 * A dense tensor-product grid of pricing points over a {@link Domain}, on which a trained call
 * pricer is compared with the analytic oracle. Coordinates are in strike units, as in
 * {@link OptionPoints}: moneyness S/K (dimensionless), time to expiry τ in years, volatility σ and
 * rate r as decimals.
 *
 * <p>Node placement, per axis:
 * <ul>
 *   <li>moneyness, volatility and rate: uniform between the domain's bounds, both included;
 *   <li>expiry: uniform in √τ, so the nodes crowd towards small τ, where the price has its kink
 *       at the strike and the Greeks change fastest (41 nodes on [0, 2] y put 7 of them below
 *       τ = 0.05 y and 9 below τ = 0.1 y);
 *   <li>a lower bound of 0 for τ or σ, where the oracle is undefined (the price is the payoff and
 *       delta a step), is replaced by half the first step: τ₀ = (½·√τ_max/(n−1))², σ₀ =
 *       ½·σ_max/(n−1). With the default 41 expiry nodes on [0, 2] y, τ₀ ≈ 3.1e-4 y (≈ 0.11 days);
 *   <li>one node per axis sits at the middle of the range (the middle in √τ for expiry); a
 *       degenerate range (min = max) gives that single node whatever count was asked for.
 * </ul>
 * The default is 41 moneyness × 41 expiry × 9 vol × 5 rate nodes = 75,645 points.
 *
 * <p>Points are numbered with moneyness outermost, then expiry, vol and rate (innermost), so the
 * points of one (S/K, τ) cell are contiguous and chunks are cheap to build. The grid holds only
 * the four axes (a few hundred doubles); {@link #points(int, int)} builds a chunk on demand.
 *
 * <p>Immutable: the arrays are copied in and out. Equality compares the nodes.
 *
 * @param moneyness S/K nodes, strictly increasing, finite and &gt; 0
 * @param expiry τ nodes in years, strictly increasing, finite and &gt; 0
 * @param vol σ nodes (decimal per √year), strictly increasing, finite and &gt; 0
 * @param rate r nodes (decimal per year, continuously compounded), strictly increasing and finite
 */
public record AccuracyGrid(double[] moneyness, double[] expiry, double[] vol, double[] rate) {

    /** Default number of moneyness nodes. */
    public static final int DEFAULT_MONEYNESS_POINTS = 41;
    /** Default number of expiry nodes (uniform in √τ). */
    public static final int DEFAULT_EXPIRY_POINTS = 41;
    /** Default number of volatility nodes. */
    public static final int DEFAULT_VOL_POINTS = 9;
    /** Default number of rate nodes. */
    public static final int DEFAULT_RATE_POINTS = 5;

    public AccuracyGrid {
        moneyness = checkedCopy("moneyness", moneyness, true);
        expiry = checkedCopy("expiry", expiry, true);
        vol = checkedCopy("vol", vol, true);
        rate = checkedCopy("rate", rate, false);
        long size = (long) moneyness.length * expiry.length * vol.length * rate.length;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the grid would have " + size + " points, more than "
                    + Integer.MAX_VALUE);
        }
    }

    /** The default grid (41 × 41 × 9 × 5 = 75,645 points) over {@code domain}. */
    public static AccuracyGrid over(Domain domain) {
        return over(domain, DEFAULT_MONEYNESS_POINTS, DEFAULT_EXPIRY_POINTS, DEFAULT_VOL_POINTS,
                DEFAULT_RATE_POINTS);
    }

    /**
     * A grid over {@code domain} with the given number of nodes per axis, placed as the class
     * comment describes.
     *
     * @throws IllegalArgumentException if a count is below 1, if the expiry or vol range is
     *     exactly [0, 0] (no valid option there), or if the grid would exceed 2³¹ − 1 points
     */
    public static AccuracyGrid over(Domain domain, int moneynessPoints, int expiryPoints,
            int volPoints, int ratePoints) {
        Objects.requireNonNull(domain, "domain");
        return new AccuracyGrid(
                uniform("moneyness", domain.minMoneyness(), domain.maxMoneyness(), moneynessPoints, true),
                uniformInSquareRoot(domain.minExpiry(), domain.maxExpiry(), expiryPoints),
                uniform("vol", domain.minVol(), domain.maxVol(), volPoints, true),
                uniform("rate", domain.minRate(), domain.maxRate(), ratePoints, false));
    }

    /** The number of points, the product of the four axis lengths. */
    public int size() {
        return moneyness.length * expiry.length * vol.length * rate.length;
    }

    /** All points, in grid order. Prefer {@link #points(int, int)} chunks for large grids. */
    public OptionPoints points() {
        return points(0, size());
    }

    /**
     * Points {@code from} (inclusive) to {@code to} (exclusive) in grid order, as freshly
     * allocated arrays the caller may keep.
     *
     * @throws IndexOutOfBoundsException unless 0 ≤ from ≤ to ≤ size()
     */
    public OptionPoints points(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        int count = to - from;
        double[] m = new double[count];
        double[] t = new double[count];
        double[] v = new double[count];
        double[] r = new double[count];
        for (int k = 0; k < count; k++) {
            int point = from + k;
            int rateIndex = point % rate.length;
            int volIndex = (point / rate.length) % vol.length;
            m[k] = moneyness[moneynessIndex(point)];
            t[k] = expiry[expiryIndex(point)];
            v[k] = vol[volIndex];
            r[k] = rate[rateIndex];
        }
        return new OptionPoints(m, t, v, r);
    }

    /** The index into {@link #moneyness()} of point {@code point}. */
    public int moneynessIndex(int point) {
        return point / (expiry.length * vol.length * rate.length);
    }

    /** The index into {@link #expiry()} of point {@code point}. */
    public int expiryIndex(int point) {
        return (point / (vol.length * rate.length)) % expiry.length;
    }

    /** The S/K nodes, ascending (a copy). */
    @Override
    public double[] moneyness() {
        return moneyness.clone();
    }

    /** The τ nodes in years, ascending (a copy). */
    @Override
    public double[] expiry() {
        return expiry.clone();
    }

    /** The σ nodes, ascending (a copy). */
    @Override
    public double[] vol() {
        return vol.clone();
    }

    /** The r nodes, ascending (a copy). */
    @Override
    public double[] rate() {
        return rate.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AccuracyGrid that
                && Arrays.equals(moneyness, that.moneyness) && Arrays.equals(expiry, that.expiry)
                && Arrays.equals(vol, that.vol) && Arrays.equals(rate, that.rate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(moneyness), Arrays.hashCode(expiry),
                Arrays.hashCode(vol), Arrays.hashCode(rate));
    }

    @Override
    public String toString() {
        return "AccuracyGrid[" + size() + " points: moneyness " + describe(moneyness) + ", expiry "
                + describe(expiry) + " y, vol " + describe(vol) + ", rate " + describe(rate) + "]";
    }

    private static String describe(double[] nodes) {
        return nodes.length + " in [" + nodes[0] + ", " + nodes[nodes.length - 1] + "]";
    }

    private static double[] checkedCopy(String axis, double[] nodes, boolean positive) {
        Objects.requireNonNull(nodes, axis);
        if (nodes.length == 0) {
            throw new IllegalArgumentException(axis + " needs at least one node");
        }
        double[] copy = nodes.clone();
        for (int i = 0; i < copy.length; i++) {
            if (!Double.isFinite(copy[i]) || (positive && !(copy[i] > 0.0))) {
                throw new IllegalArgumentException(axis + " node " + i + " must be finite"
                        + (positive ? " and > 0" : "") + ", was " + copy[i]);
            }
            if (i > 0 && !(copy[i] > copy[i - 1])) {
                throw new IllegalArgumentException(axis + " nodes must be strictly increasing, node "
                        + i + " is " + copy[i] + " after " + copy[i - 1]);
            }
        }
        return copy;
    }

    /**
     * n nodes uniform on [min, max]. With {@code positive} (vol), a lower bound of 0 moves to half
     * the first step, since σ = 0 is degenerate; rate may be 0 and stays there.
     */
    private static double[] uniform(String axis, double min, double max, int count, boolean positive) {
        requireCount(axis, count);
        if (min == max || count == 1) {
            return new double[] {requireValid(axis, min, max, 0.5 * (min + max), positive)};
        }
        double step = (max - min) / (count - 1);
        double[] nodes = new double[count];
        for (int i = 0; i < count; i++) {
            nodes[i] = min + i * step;
        }
        nodes[count - 1] = max; // exact, whatever the rounding of the steps
        if (positive && min == 0.0) {
            nodes[0] = 0.5 * step;
        }
        return nodes;
    }

    /** n nodes uniform in √τ on [min, max]; τ = 0 moves to half the first √τ step. */
    private static double[] uniformInSquareRoot(double min, double max, int count) {
        requireCount("expiry", count);
        double low = Math.sqrt(min);
        double high = Math.sqrt(max);
        if (min == max || count == 1) {
            double middle = 0.5 * (low + high);
            return new double[] {requireValid("expiry", min, max, middle * middle, true)};
        }
        double step = (high - low) / (count - 1);
        double[] nodes = new double[count];
        for (int i = 0; i < count; i++) {
            double root = low + i * step;
            nodes[i] = root * root;
        }
        nodes[0] = min; // both ends exact, not squares of rounded roots
        nodes[count - 1] = max;
        if (min == 0.0) {
            double root = 0.5 * step; // τ = 0 is the payoff itself: the oracle is undefined there
            nodes[0] = root * root;
        }
        return nodes;
    }

    private static void requireCount(String axis, int count) {
        if (count < 1) {
            throw new IllegalArgumentException(axis + " needs at least 1 node, asked for " + count);
        }
    }

    private static double requireValid(String axis, double min, double max, double node, boolean positive) {
        if (positive && !(node > 0.0)) {
            throw new IllegalArgumentException(axis + " range [" + min + ", " + max
                    + "] has no point above 0, where the oracle is defined");
        }
        return node;
    }
}
