package pinn.runtime.accuracy;

import java.util.Arrays;
import java.util.Locale;
import pinn.runtime.CallPricer;
import pinn.runtime.OptionPoints;
import pinn.runtime.Valuation;

/**
 * How far a model's own Greeks are from satisfying the Black-Scholes equation over a grid: the
 * residual |θ + ½σ²S²Γ + rSΔ − rV| / K (per year, in units of the strike) that the runtime's
 * self-check compares with its tolerance. Tells what fraction of the domain a tolerance rejects.
 *
 * @param sortedResiduals the residual at every grid point, ascending
 */
public record ResidualSurvey(double[] sortedResiduals) {

    /** The residual of {@code pricer}'s calls at every point of {@code grid} (strike 1). */
    public static ResidualSurvey evaluate(CallPricer pricer, AccuracyGrid grid) {
        double[] residuals = new double[grid.size()];
        int chunk = AccuracyReport.DEFAULT_CHUNK_SIZE;
        for (int from = 0; from < grid.size(); from += chunk) {
            int to = Math.min(grid.size(), from + chunk);
            OptionPoints points = grid.points(from, to);
            Valuation[] v = pricer.priceCalls(points);
            for (int i = 0; i < v.length; i++) {
                double m = points.moneyness()[i], vol = points.vol()[i], r = points.rate()[i];
                residuals[from + i] = Math.abs(v[i].theta() + 0.5 * vol * vol * m * m * v[i].gamma() + r * m * v[i].delta() - r * v[i].price());
            }
        }
        Arrays.sort(residuals);
        return new ResidualSurvey(residuals);
    }

    /** The residual below which a fraction {@code q} of the points lie. */
    public double quantile(double q) {
        return sortedResiduals[(int) Math.min(sortedResiduals.length - 1, Math.floor(q * sortedResiduals.length))];
    }

    /** The fraction of points whose residual exceeds {@code tolerance}. */
    public double fractionAbove(double tolerance) {
        int i = Arrays.binarySearch(sortedResiduals, Math.nextUp(tolerance));
        int firstAbove = i >= 0 ? i : -i - 1;
        while (firstAbove > 0 && sortedResiduals[firstAbove - 1] > tolerance) firstAbove--;
        return (double) (sortedResiduals.length - firstAbove) / sortedResiduals.length;
    }

    /** One line for reports. */
    public String format(double tolerance) {
        return String.format(Locale.ROOT, "self-check residual |theta + 0.5 s^2 S^2 gamma + r S delta - r V| / K over the grid: "
                        + "median %.2e, p99 %.2e, max %.2e; tolerance %.2e rejects %.3f%% of the grid%n",
                quantile(0.5), quantile(0.99), sortedResiduals[sortedResiduals.length - 1], tolerance, 100 * fractionAbove(tolerance));
    }
}
