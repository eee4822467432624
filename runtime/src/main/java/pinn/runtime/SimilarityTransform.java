package pinn.runtime;

import java.util.List;

/**
 * The change of variables that makes the call price easy to learn, and the output transform that
 * builds the terminal payoff in exactly. Everything here depends on the inputs only, never on the
 * weights, so it is computed on the host with hand-derived derivatives and enters the tape as
 * constant jets.
 *
 * <p>With x = ln m + rτ (log forward moneyness) and w = σ√τ (total volatility), the
 * Black-Scholes PDE reduces to the heat equation (the textbook reduction), and the price is
 * smooth in the similarity variable z = x / w on the scale where it changes. The network sees
 * (tanh(z / zScale), w), normalised, and its output H enters the price per unit strike as
 *
 * <pre>
 *   v = (m − e^{−rτ}) · S(z) + e^{−rτ} · w · H,     S(z) = (1 + tanh κz) / 2,  κ = 3/2.
 * </pre>
 *
 * <p>As τ → 0 with m ≠ 1, z → ±∞, S(z) → 1 or 0 and w → 0, so v → max(m − 1, 0) whatever the
 * network says: the terminal condition holds by construction. As |z| → ∞ at any τ the first term
 * is the price's asymptote (0 for S → 0, S − Ke^{−rτ} for S → ∞), so the boundary behaviour is
 * H → 0 there. The step S is a fixed smooth function, not a price: the network learns the rest
 * from the PDE residual alone.
 *
 * <p>Why only z and w: the reduction to the heat equation holds for every σ and r, so the exact
 * price has the form v = e^{−rτ}·F(x, w), and with the transform above H is a function of (z, w)
 * alone. Feeding σ and r to the network as well would only give it two inputs to learn to ignore,
 * and every error in that (∂H/∂σ, ∂H/∂r ≠ 0) would go straight into vega and rho. σ and r still
 * reach the price, through z, w, e^{−rτ} and the PDE the network is trained on. S is steep enough (1 − S ~ e^{−2κz}) that (m − e^{−rτ})(1 − S)
 * vanishes at the boundary |z| = 8 even where m = e^{wz} is large.
 */
final class SimilarityTransform {

    /** The steepness κ of the step S(z). */
    static final double STEP_STEEPNESS = 1.5;

    /** The number of network inputs. */
    static final int FEATURES = 2;

    /** The host jets of one batch: network features (n×2), and the factors of v = base + coefficient · H (n×1). */
    record Inputs(HostJet features, HostJet base, HostJet coefficient) {}

    private SimilarityTransform() {}

    static Inputs compute(OptionPoints points, List<Direction> directions, FeatureScaling scaling) {
        if (directions.isEmpty() || directions.getFirst() != Direction.MONEYNESS) {
            throw new IllegalArgumentException("directions must start with MONEYNESS, were " + directions);
        }
        int n = points.size(), d = directions.size();
        HostJet features = HostJet.zeros(n, FEATURES, d);
        HostJet base = HostJet.zeros(n, 1, d);
        HostJet coefficient = HostJet.zeros(n, 1, d);
        double[] dz = new double[d];

        for (int i = 0; i < n; i++) {
            double m = points.moneyness()[i], tau = points.expiry()[i], vol = points.vol()[i], r = points.rate()[i];
            double sqrtTau = Math.sqrt(tau);
            double w = vol * sqrtTau;
            double discount = Math.exp(-r * tau);
            double z = (Math.log(m) + r * tau) / w;
            // Second derivatives along m: z_mm = −1/(m² w); w, σ and r do not move with m.
            double dzdm = 1 / (m * w);
            double d2zdm2 = -dzdm / m;

            double q = Math.tanh(z / scaling.zScale());
            double dq = (1 - q * q) / scaling.zScale();              // dq/dz
            double d2q = -2 * q * dq / scaling.zScale();              // d²q/dz²
            double s = Math.tanh(STEP_STEEPNESS * z);
            double step = 0.5 * (1 + s);
            double dStep = 0.5 * STEP_STEEPNESS * (1 - s * s);                       // dS/dz
            double d2Step = -STEP_STEEPNESS * STEP_STEEPNESS * s * (1 - s * s);      // d²S/dz²
            double intrinsic = m - discount;                          // A = m − e^{−rτ}

            int row = FEATURES * i;
            features.value()[row] = q;
            features.value()[row + 1] = (w - scaling.wShift()) / scaling.wScale();
            features.second()[row] = dq * d2zdm2 + d2q * dzdm * dzdm;
            base.value()[i] = intrinsic * step;
            base.second()[i] = 2 * dStep * dzdm + intrinsic * (d2Step * dzdm * dzdm + dStep * d2zdm2);
            coefficient.value()[i] = discount * w;

            for (int k = 0; k < d; k++) {
                // ∂z, ∂w, ∂A and ∂(e^{−rτ} w) along each direction.
                double dw, dIntrinsic, dCoefficient;
                switch (directions.get(k)) {
                    case MONEYNESS -> {
                        dz[k] = dzdm;
                        dw = 0;
                        dIntrinsic = 1;
                        dCoefficient = 0;
                    }
                    case EXPIRY -> {
                        dw = w / (2 * tau);
                        dz[k] = r / w - z / (2 * tau);
                        dIntrinsic = r * discount;
                        dCoefficient = discount * (dw - r * w);
                    }
                    case VOL -> {
                        dw = sqrtTau;
                        dz[k] = -z / vol;
                        dIntrinsic = 0;
                        dCoefficient = discount * sqrtTau;
                    }
                    case RATE -> {
                        dw = 0;
                        dz[k] = tau / w;
                        dIntrinsic = tau * discount;
                        dCoefficient = -tau * discount * w;
                    }
                    default -> throw new AssertionError();
                }
                double[] featureTangent = features.tangents()[k];
                featureTangent[row] = dq * dz[k];
                featureTangent[row + 1] = dw / scaling.wScale();
                base.tangents()[k][i] = dIntrinsic * step + intrinsic * dStep * dz[k];
                coefficient.tangents()[k][i] = dCoefficient;
            }
        }
        return new Inputs(features, base, coefficient);
    }
}
