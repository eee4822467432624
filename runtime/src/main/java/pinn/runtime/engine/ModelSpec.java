package pinn.runtime.engine;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import pinn.runtime.model.Domain;

/**
 * What model a request needs: the domain it must cover, its hidden layers, and the training
 * budget and seed that make it. The key of the {@link ModelCache}.
 *
 * <p>The domain's bounds are rounded to {@link #SIGNIFICANT_DIGITS} significant digits when the
 * spec is made, so that specs equal in practice (0.8 and 0.8000000000000002, say, from arithmetic
 * in a client) are equal as keys: the old service keyed its cache on raw floats and never hit.
 *
 * @param domain the region of S/K, τ, σ and r the model must cover (rounded)
 * @param hidden the hidden layer widths, e.g. [64, 64, 64, 64]
 * @param adamSteps Adam steps if the model has to be trained
 * @param seed the training seed
 */
public record ModelSpec(Domain domain, List<Integer> hidden, int adamSteps, long seed) {

    /** Significant digits kept of each domain bound. */
    public static final int SIGNIFICANT_DIGITS = 6;
    private static final MathContext ROUNDING = new MathContext(SIGNIFICANT_DIGITS);

    public ModelSpec {
        domain = new Domain(round(domain.minMoneyness()), round(domain.maxMoneyness()), round(domain.minExpiry()), round(domain.maxExpiry()),
                round(domain.minVol()), round(domain.maxVol()), round(domain.minRate()), round(domain.maxRate()));
        hidden = List.copyOf(hidden);
        if (hidden.isEmpty()) throw new IllegalArgumentException("hidden: a model needs at least one hidden layer");
        for (int width : hidden) if (width < 1) throw new IllegalArgumentException("hidden: widths must be >= 1, were " + hidden);
        if (adamSteps < 0) throw new IllegalArgumentException("adamSteps must be >= 0, was " + adamSteps);
    }

    /** {@code x} to {@link #SIGNIFICANT_DIGITS} significant digits, half-even. */
    static double round(double x) {
        if (x == 0 || !Double.isFinite(x)) return x == 0 ? 0.0 : x;     // also turns −0.0 into 0.0
        return new BigDecimal(x).round(ROUNDING).doubleValue();
    }

    /** A file name that identifies the spec, for a models directory: e.g. {@code m0.5-2_t0.02-2_v0.05-0.8_r0-0.1_64x4_n6000_s1.pinn}. */
    public String fileName() {
        String widths = hidden.stream().distinct().count() == 1 ? hidden.getFirst() + "x" + hidden.size()
                : String.join("-", hidden.stream().map(String::valueOf).toList());
        return String.format(Locale.ROOT, "m%s-%s_t%s-%s_v%s-%s_r%s-%s_%s_n%d_s%d.pinn",
                text(domain.minMoneyness()), text(domain.maxMoneyness()), text(domain.minExpiry()), text(domain.maxExpiry()),
                text(domain.minVol()), text(domain.maxVol()), text(domain.minRate()), text(domain.maxRate()), widths, adamSteps, seed);
    }

    private static String text(double x) {
        return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }
}
