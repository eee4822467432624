package pinn.runtime.accuracy;

import java.util.Arrays;
import java.util.Objects;

/**
 * The largest absolute error of one {@link Quantity} in each (S/K, τ) cell of the grid, taken over
 * all of the grid's volatility and rate nodes: what a heat map over moneyness × expiry shows. The
 * maximum rather than a slice at one (σ, r) so no bad corner of the domain hides.
 *
 * <p>Unlike the report's statistics for the Greeks, the surface covers every τ node, including
 * those below {@code greeksMinExpiry}, so a plot shows where the Greeks go wrong near expiry too.
 *
 * <p>Immutable: the arrays are copied in and out. Equality compares the values.
 *
 * @param moneyness the S/K nodes, ascending
 * @param expiry the τ nodes in years, ascending
 * @param maxAbsError {@code maxAbsError[i][j]}: the largest error at moneyness[i], expiry[j], in
 *     the quantity's units per unit strike; +∞ where the model returned a non-finite value
 */
public record ErrorSurface(double[] moneyness, double[] expiry, double[][] maxAbsError) {

    public ErrorSurface {
        moneyness = moneyness.clone();
        expiry = expiry.clone();
        maxAbsError = copy(maxAbsError);
        if (maxAbsError.length != moneyness.length) {
            throw new IllegalArgumentException("one row of errors per moneyness node: "
                    + maxAbsError.length + " rows for " + moneyness.length + " nodes");
        }
        for (double[] row : maxAbsError) {
            if (row.length != expiry.length) {
                throw new IllegalArgumentException("one error per expiry node: a row of "
                        + row.length + " for " + expiry.length + " nodes");
            }
        }
    }

    /** The largest error on the surface. */
    public double max() {
        double max = 0.0;
        for (double[] row : maxAbsError) {
            for (double error : row) {
                max = Math.max(max, error);
            }
        }
        return max;
    }

    /** The error at moneyness node {@code i} and expiry node {@code j}. */
    public double at(int i, int j) {
        return maxAbsError[i][j];
    }

    /** The S/K nodes (a copy). */
    @Override
    public double[] moneyness() {
        return moneyness.clone();
    }

    /** The τ nodes in years (a copy). */
    @Override
    public double[] expiry() {
        return expiry.clone();
    }

    /** The errors, indexed [moneyness][expiry] (a copy). */
    @Override
    public double[][] maxAbsError() {
        return copy(maxAbsError);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ErrorSurface that
                && Arrays.equals(moneyness, that.moneyness) && Arrays.equals(expiry, that.expiry)
                && Arrays.deepEquals(maxAbsError, that.maxAbsError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(moneyness), Arrays.hashCode(expiry),
                Arrays.deepHashCode(maxAbsError));
    }

    @Override
    public String toString() {
        return "ErrorSurface[" + moneyness.length + " moneyness × " + expiry.length
                + " expiry nodes, max " + max() + "]";
    }

    private static double[][] copy(double[][] rows) {
        double[][] copy = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            copy[i] = rows[i].clone();
        }
        return copy;
    }
}
