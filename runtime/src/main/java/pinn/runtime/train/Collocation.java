package pinn.runtime.train;

import java.util.SplittableRandom;
import pinn.runtime.OptionPoints;
import pinn.runtime.Sobol;
import pinn.runtime.model.Domain;

/**
 * Where the PDE residual is sampled: quasi-random (Sobol) points over a slightly widened training
 * domain, drawn in the network's own variables: the similarity variable z = (ln m + rτ)/(σ√τ),
 * uniform on [−8, 8], so that the points sit where the price changes (|z| ≲ 4 is the region around
 * the strike at every τ), and the total volatility w = σ√τ, log-uniform, so that small w (short
 * expiries at low vol, where gamma is large and most sensitive to the network's error) gets as
 * many points per decade as large w. σ is then uniform over the values that keep τ = (w/σ)² in
 * the domain, and r uniform. Residual-based resampling moves points to where the residual is large.
 *
 * <p>Deterministic for a given seed: the Sobol sequence is digitally shifted by the seed, and
 * resampling draws from a {@link SplittableRandom} seeded from it.
 */
public final class Collocation {

    /** |z| beyond which the price is its asymptote to within the training accuracy (boundary points sit here). */
    public static final double Z_BOUNDARY = 8.0;

    private final Domain domain;
    private final Sobol interior;
    private final Sobol boundary;
    private final SplittableRandom random;
    private long nextInterior;
    private long nextBoundary;

    public Collocation(Domain trainingDomain, long seed) {
        this.domain = trainingDomain;
        this.interior = Sobol.shifted(4, seed);
        this.boundary = Sobol.shifted(4, seed ^ 0x5DEECE66DL);
        this.random = new SplittableRandom(seed);
    }

    /** The training domain: the served domain widened a little, so its edges are interior points. */
    public static Domain widen(Domain served) {
        return new Domain(served.minMoneyness() * 0.9, served.maxMoneyness() * 1.1,
                served.minExpiry() * 0.75, served.maxExpiry() * 1.05,
                served.minVol() * 0.9, served.maxVol() * 1.05,
                served.minRate(), served.maxRate() + 0.005);
    }

    /** The next {@code count} interior points of the sequence. */
    public OptionPoints interior(int count) {
        double[] u = new double[count * 4];
        interior.fill(nextInterior, count, u, 0);
        nextInterior += count;
        OptionPoints points = allocate(count);
        for (int i = 0; i < count; i++) {
            setPoint(points, i, Z_BOUNDARY * (2 * u[4 * i] - 1), u[4 * i + 1], u[4 * i + 2], u[4 * i + 3]);
        }
        return points;
    }

    /** The next {@code count} boundary points: |z| = {@link #Z_BOUNDARY}, half on each side. */
    public OptionPoints boundary(int count) {
        double[] u = new double[count * 4];
        boundary.fill(nextBoundary, count, u, 0);
        nextBoundary += count;
        OptionPoints points = allocate(count);
        for (int i = 0; i < count; i++) {
            double z = (i % 2 == 0 ? 1 : -1) * Z_BOUNDARY;
            setPoint(points, i, z, u[4 * i + 1], u[4 * i + 2], u[4 * i + 3]);
        }
        return points;
    }

    /**
     * A new set of {@code count} points drawn from {@code candidates} with probability
     * proportional to r²/mean(r²) + 1 (residual-based adaptive sampling: mostly where the residual
     * is large, never nowhere else), without replacement.
     */
    public OptionPoints resample(OptionPoints candidates, double[] residuals, int count) {
        int n = candidates.size();
        if (residuals.length != n || count > n) throw new IllegalArgumentException("need at least " + count + " candidates with residuals");
        double meanSquare = 0;
        for (double r : residuals) meanSquare += r * r;
        meanSquare = Math.max(meanSquare / n, Double.MIN_NORMAL);
        // Weighted sampling without replacement by exponential keys: keep the count smallest E/w.
        double[] keys = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            double weight = residuals[i] * residuals[i] / meanSquare + 1;
            keys[i] = -Math.log(1 - random.nextDouble()) / weight;
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(keys[a], keys[b]));
        OptionPoints chosen = allocate(count);
        for (int k = 0; k < count; k++) {
            int i = order[k];
            chosen.moneyness()[k] = candidates.moneyness()[i];
            chosen.expiry()[k] = candidates.expiry()[i];
            chosen.vol()[k] = candidates.vol()[i];
            chosen.rate()[k] = candidates.rate()[i];
        }
        return chosen;
    }

    private void setPoint(OptionPoints points, int i, double z, double uTotalVol, double uVol, double uRate) {
        double minW = domain.minVol() * Math.sqrt(domain.minExpiry()), maxW = domain.maxVol() * Math.sqrt(domain.maxExpiry());
        double w = minW * Math.pow(maxW / minW, uTotalVol);
        double lowestVol = Math.max(domain.minVol(), w / Math.sqrt(domain.maxExpiry()));
        double highestVol = Math.min(domain.maxVol(), w / Math.sqrt(domain.minExpiry()));
        double vol = lowestVol + (highestVol - lowestVol) * uVol;
        double tau = (w / vol) * (w / vol);
        double rate = domain.minRate() + (domain.maxRate() - domain.minRate()) * uRate;
        points.moneyness()[i] = Math.exp(z * w - rate * tau);
        points.expiry()[i] = tau;
        points.vol()[i] = vol;
        points.rate()[i] = rate;
    }

    private static OptionPoints allocate(int count) {
        return new OptionPoints(new double[count], new double[count], new double[count], new double[count]);
    }
}
