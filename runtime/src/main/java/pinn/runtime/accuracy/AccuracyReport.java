package pinn.runtime.accuracy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import pinn.runtime.BlackScholes;
import pinn.runtime.CallPricer;
import pinn.runtime.OptionPoints;
import pinn.runtime.OptionType;
import pinn.runtime.Valuation;

/**
 * How accurately a {@link CallPricer} (the trained network) reproduces the analytic
 * Black-Scholes call and its Greeks on an {@link AccuracyGrid}, judged against
 * {@link AccuracyTargets}.
 *
 * <p>Everything is per unit strike: the pricer and the oracle both price at K = 1, so |ΔV|/K,
 * delta, gamma·K, theta/K, vega/K and rho/K are the plain absolute differences (see
 * {@link Quantity}). The price is compared at every grid point; the Greeks only where τ ≥
 * {@code greeksMinExpiry} (default {@value #DEFAULT_GREEKS_MIN_EXPIRY} y), since near expiry the
 * true gamma and theta grow like 1/√τ and 1/τ and no smooth network is expected to follow them.
 *
 * <p>The grid is priced in chunks of at most {@code chunkSize} points, so memory stays bounded
 * whatever the grid size; the statistics are accumulated point by point in grid order, so the
 * result does not depend on the chunk size, bit for bit.
 *
 * @param errors one entry per {@link Quantity}, in declaration order
 * @param targets the bounds the errors are judged against
 * @param greeksMinExpiry the shortest τ, in years, at which the Greeks were compared
 */
public record AccuracyReport(List<QuantityError> errors, AccuracyTargets targets,
        double greeksMinExpiry) {

    /** Below this τ, in years, the Greeks are not compared by default. */
    public static final double DEFAULT_GREEKS_MIN_EXPIRY = 0.1;

    /** Points per pricer call by default: large enough for batching, small enough for memory. */
    public static final int DEFAULT_CHUNK_SIZE = 8192;

    private static final Quantity[] QUANTITIES = Quantity.values();

    public AccuracyReport {
        errors = List.copyOf(errors);
        Objects.requireNonNull(targets, "targets");
        if (errors.size() != QUANTITIES.length) {
            throw new IllegalArgumentException("one error per quantity, got " + errors.size());
        }
        for (int q = 0; q < QUANTITIES.length; q++) {
            if (errors.get(q).quantity() != QUANTITIES[q]) {
                throw new IllegalArgumentException("error " + q + " must be for "
                        + QUANTITIES[q].label() + ", was for " + errors.get(q).quantity().label());
            }
        }
        requireValidMinExpiry(greeksMinExpiry);
    }

    /**
     * Compares {@code pricer} with the oracle on {@code grid} with the default targets, Greeks from
     * τ ≥ {@value #DEFAULT_GREEKS_MIN_EXPIRY} y and chunks of {@value #DEFAULT_CHUNK_SIZE} points.
     */
    public static AccuracyReport evaluate(CallPricer pricer, AccuracyGrid grid) {
        return evaluate(pricer, grid, AccuracyTargets.DEFAULT, DEFAULT_GREEKS_MIN_EXPIRY,
                DEFAULT_CHUNK_SIZE);
    }

    /**
     * Compares {@code pricer} with the oracle on {@code grid}.
     *
     * @param pricer strike-1 call pricer under test; called once per chunk, in grid order
     * @param grid the points to compare at
     * @param targets the bounds to judge against
     * @param greeksMinExpiry the shortest τ, in years, at which the Greeks are compared; finite,
     *     ≥ 0, and at most the grid's longest expiry
     * @param chunkSize the most points per pricer call, ≥ 1
     * @throws IllegalStateException if the pricer returns null, a null valuation or the wrong
     *     number of them
     */
    public static AccuracyReport evaluate(CallPricer pricer, AccuracyGrid grid,
            AccuracyTargets targets, double greeksMinExpiry, int chunkSize) {
        Objects.requireNonNull(pricer, "pricer");
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(targets, "targets");
        requireValidMinExpiry(greeksMinExpiry);
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1, was " + chunkSize);
        }
        double[] expiryNodes = grid.expiry();
        if (expiryNodes[expiryNodes.length - 1] < greeksMinExpiry) {
            throw new IllegalArgumentException("no grid expiry reaches greeksMinExpiry "
                    + greeksMinExpiry + " y (the longest is " + expiryNodes[expiryNodes.length - 1]
                    + " y), so no Greek would be compared");
        }

        double[] moneynessNodes = grid.moneyness();
        Map<Quantity, Accumulator> accumulators = new EnumMap<>(Quantity.class);
        for (Quantity quantity : QUANTITIES) {
            accumulators.put(quantity, new Accumulator(moneynessNodes.length, expiryNodes.length));
        }
        int size = grid.size();
        for (int from = 0; from < size; from += chunkSize) {
            int to = Math.min(size, from + chunkSize);
            OptionPoints points = grid.points(from, to);
            Valuation[] model = checkedValuations(pricer.priceCalls(points), points.size(), from);
            for (int k = 0; k < points.size(); k++) {
                int point = from + k;
                double expiry = points.expiry()[k];
                Valuation oracle = BlackScholes.value(OptionType.CALL, points.moneyness()[k], 1.0,
                        expiry, points.rate()[k], points.vol()[k]);
                boolean greeksCount = expiry >= greeksMinExpiry;
                for (Quantity quantity : QUANTITIES) {
                    accumulators.get(quantity).add(quantity.of(model[k]), quantity.of(oracle),
                            points, k, grid.moneynessIndex(point), grid.expiryIndex(point),
                            greeksCount || !quantity.isGreek());
                }
            }
        }

        List<QuantityError> errors = new ArrayList<>(QUANTITIES.length);
        for (Quantity quantity : QUANTITIES) {
            errors.add(accumulators.get(quantity).result(quantity, moneynessNodes, expiryNodes));
        }
        return new AccuracyReport(errors, targets, greeksMinExpiry);
    }

    /** The comparison for {@code quantity}. */
    public QuantityError error(Quantity quantity) {
        return errors.get(quantity.ordinal());
    }

    /** Whether {@code quantity} meets its targets. */
    public boolean meets(Quantity quantity) {
        return targets.meets(error(quantity));
    }

    /** Whether every quantity meets its targets. */
    public boolean meetsTargets() {
        for (Quantity quantity : QUANTITIES) {
            if (!meets(quantity)) {
                return false;
            }
        }
        return true;
    }

    /** The number of grid points the price was compared at: the whole grid. */
    public int pointCount() {
        return error(Quantity.PRICE).pointCount();
    }

    /**
     * A fixed-width table, one row per quantity: relative L2 error, max absolute error (per unit
     * strike), target, PASS/FAIL and the point of the max error with the model and oracle values
     * there. Lines end with '\n'.
     */
    public String format() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "Accuracy against analytic Black-Scholes, per unit strike (K = 1): price at %d grid"
                        + " points, Greeks at the %d with tau >= %s y\n",
                pointCount(), error(Quantity.DELTA).pointCount(), number(greeksMinExpiry)));
        String row = "%-8s  %-9s  %-9s  %-29s  %-6s  %s\n";
        out.append(String.format(Locale.ROOT, row, "quantity", "rel L2", "max abs", "target",
                "result", "worst point (max abs error)"));
        for (Quantity quantity : QUANTITIES) {
            QuantityError error = error(quantity);
            out.append(String.format(Locale.ROOT, row, quantity.label(),
                    scientific(error.relativeL2(), 2), scientific(error.maxAbsError(), 2),
                    targetText(quantity), meets(quantity) ? "PASS" : "FAIL", pointText(error.worst())));
        }
        out.append(meetsTargets() ? "all targets met" : "targets missed: " + missed()).append('\n');
        return out.toString();
    }

    /**
     * One line for a log or a trainer's last words, e.g. {@code price relL2 3.1e-04 max 8.2e-04 |
     * delta 2.1e-03 | gamma·K 1.2e-02 | theta/K 4.0e-03 | vega/K 1.1e-03 | rho/K 9.0e-04 | all
     * targets met}: the price's relative L2 and max error, then each Greek's max error.
     */
    public String summaryLine() {
        StringBuilder line = new StringBuilder();
        QuantityError price = error(Quantity.PRICE);
        line.append("price relL2 ").append(scientific(price.relativeL2(), 1))
                .append(" max ").append(scientific(price.maxAbsError(), 1));
        for (Quantity quantity : QUANTITIES) {
            if (quantity.isGreek()) {
                line.append(" | ").append(quantity.label()).append(' ')
                        .append(scientific(error(quantity).maxAbsError(), 1));
            }
        }
        line.append(" | ").append(meetsTargets() ? "all targets met" : "targets missed: " + missed());
        return line.toString();
    }

    private String missed() {
        List<String> labels = new ArrayList<>();
        for (Quantity quantity : QUANTITIES) {
            if (!meets(quantity)) {
                labels.add(quantity.label());
            }
        }
        return String.join(", ", labels);
    }

    private String targetText(Quantity quantity) {
        String max = "max<=" + bound(targets.maxAbsTarget(quantity));
        double relativeL2 = targets.relativeL2Target(quantity);
        return relativeL2 == Double.POSITIVE_INFINITY ? max : "relL2<=" + bound(relativeL2) + ", " + max;
    }

    private static String bound(double target) {
        return target == Double.POSITIVE_INFINITY ? "none" : scientific(target, 1);
    }

    private static String pointText(WorstPoint point) {
        return String.format(Locale.ROOT, "S/K %.4f tau %.4f y vol %.3f r %.4f: model %s oracle %s",
                point.moneyness(), point.expiry(), point.vol(), point.rate(),
                significant(point.model()), significant(point.oracle()));
    }

    private static String scientific(double value, int digits) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + digits + "e", value)
                : String.valueOf(value);
    }

    private static String significant(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value)
                : String.valueOf(value);
    }

    private static String number(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static void requireValidMinExpiry(double greeksMinExpiry) {
        if (!(Double.isFinite(greeksMinExpiry) && greeksMinExpiry >= 0.0)) {
            throw new IllegalArgumentException("greeksMinExpiry must be finite and >= 0 years, was "
                    + greeksMinExpiry);
        }
    }

    private static Valuation[] checkedValuations(Valuation[] valuations, int expected, int from) {
        if (valuations == null || valuations.length != expected) {
            throw new IllegalStateException("the pricer must return one valuation per point: "
                    + expected + " points from grid point " + from + ", got "
                    + (valuations == null ? "null" : valuations.length + " valuations"));
        }
        for (int k = 0; k < valuations.length; k++) {
            if (valuations[k] == null) {
                throw new IllegalStateException("the pricer returned no valuation for grid point "
                        + (from + k));
            }
        }
        return valuations;
    }

    /** Running sums, max and per-cell max for one quantity; fed point by point in grid order. */
    private static final class Accumulator {

        private final double[][] surface;
        private int count;
        private double sumSquaredError;
        private double sumSquaredOracle;
        private double maxError = -1.0; // below any error, so the first compared point is recorded
        private WorstPoint worst;

        Accumulator(int moneynessCount, int expiryCount) {
            surface = new double[moneynessCount][expiryCount];
        }

        void add(double model, double oracle, OptionPoints points, int k, int moneynessIndex,
                int expiryIndex, boolean compared) {
            double error = WorstPoint.errorBetween(model, oracle);
            surface[moneynessIndex][expiryIndex] = Math.max(surface[moneynessIndex][expiryIndex], error);
            if (!compared) {
                return;
            }
            count++;
            sumSquaredError += error * error;
            sumSquaredOracle += oracle * oracle;
            if (error > maxError) { // strict: the first point of equal errors is kept
                maxError = error;
                worst = new WorstPoint(points.moneyness()[k], points.expiry()[k], points.vol()[k],
                        points.rate()[k], model, oracle);
            }
        }

        QuantityError result(Quantity quantity, double[] moneyness, double[] expiry) {
            double errorNorm = Math.sqrt(sumSquaredError);
            double oracleNorm = Math.sqrt(sumSquaredOracle);
            // An identically zero oracle (never on a sensible grid) leaves only "exact" or "not".
            double relativeL2 = oracleNorm > 0.0 ? errorNorm / oracleNorm
                    : errorNorm == 0.0 ? 0.0 : Double.POSITIVE_INFINITY;
            return new QuantityError(quantity, count, relativeL2, maxError, worst,
                    new ErrorSurface(moneyness, expiry, surface));
        }
    }
}
