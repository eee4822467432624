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
        Point point = new Point();
        for (int i = 0; i < n; i++) {
            point.set(points.moneyness()[i], points.expiry()[i], points.vol()[i], points.rate()[i], scaling);
            int row = FEATURES * i;
            features.value()[row] = point.feature0;
            features.value()[row + 1] = point.feature1;
            features.second()[row] = point.feature0SecondM;
            base.value()[i] = point.base;
            base.second()[i] = point.baseSecondM;
            coefficient.value()[i] = point.coefficient;
            for (int k = 0; k < d; k++) {
                int direction = directions.get(k).ordinal();
                features.tangents()[k][row] = point.feature0Tangent[direction];
                features.tangents()[k][row + 1] = point.feature1Tangent[direction];
                base.tangents()[k][i] = point.baseTangent[direction];
                coefficient.tangents()[k][i] = point.coefficientTangent[direction];
            }
        }
        return new Inputs(features, base, coefficient);
    }

    /**
     * The transform at one point, along every {@link Direction} (indexed by ordinal), in fields a
     * caller reuses from point to point: the single-option path allocates nothing.
     *
     * <p>Because the network sees only the two features, its derivatives along the four
     * directions all follow from its gradient (∂H/∂f₀, ∂H/∂f₁) and from ∂²H/∂f₀² (m moves f₀
     * alone): {@link #perUnitStrike} combines those into the price and Greeks. Carrying the
     * network on these two basis tangents instead of four directions saves a third of the work.
     */
    static final class Point {
        /** Direction.values() copies its array on every call; the hot path reads this one. */
        private static final Direction[] ALL = Direction.values();
        private static final int DIRECTIONS = ALL.length;

        /** The features f₀ = tanh(z / zScale), f₁ = (w − wShift) / wScale, and ∂²f₀/∂m². */
        double feature0, feature1, feature0SecondM;
        /** ∂f₀ and ∂f₁ along each direction. */
        final double[] feature0Tangent = new double[DIRECTIONS], feature1Tangent = new double[DIRECTIONS];
        /** The known part of v, (m − e^{−rτ})·S(z), with its derivatives. */
        double base, baseSecondM;
        final double[] baseTangent = new double[DIRECTIONS];
        /** The factor e^{−rτ}·w in front of H, with its derivatives (it does not move with m). */
        double coefficient;
        final double[] coefficientTangent = new double[DIRECTIONS];

        void set(double m, double tau, double vol, double r, FeatureScaling scaling) {
            set(m, tau, vol, r, scaling, true);
        }

        /** As {@link #set(double, double, double, double, FeatureScaling)}; without {@code derivatives} only the values (features, base, coefficient). */
        void set(double m, double tau, double vol, double r, FeatureScaling scaling, boolean derivatives) {
            double sqrtTau = Math.sqrt(tau);
            double w = vol * sqrtTau;
            double discount = Math.exp(-r * tau);
            double z = (Math.log(m) + r * tau) / w;
            double q = Math.tanh(z / scaling.zScale());
            double s = Math.tanh(STEP_STEEPNESS * z);
            double step = 0.5 * (1 + s);
            double intrinsic = m - discount;                          // A = m − e^{−rτ}

            feature0 = q;
            feature1 = (w - scaling.wShift()) / scaling.wScale();
            base = intrinsic * step;
            coefficient = discount * w;
            if (!derivatives) return;

            // Second derivatives along m: z_mm = −1/(m² w); w, σ and r do not move with m.
            double dzdm = 1 / (m * w);
            double d2zdm2 = -dzdm / m;
            double dq = (1 - q * q) / scaling.zScale();              // dq/dz
            double d2q = -2 * q * dq / scaling.zScale();              // d²q/dz²
            double dStep = 0.5 * STEP_STEEPNESS * (1 - s * s);                       // dS/dz
            double d2Step = -STEP_STEEPNESS * STEP_STEEPNESS * s * (1 - s * s);      // d²S/dz²
            feature0SecondM = dq * d2zdm2 + d2q * dzdm * dzdm;
            baseSecondM = 2 * dStep * dzdm + intrinsic * (d2Step * dzdm * dzdm + dStep * d2zdm2);

            for (Direction direction : ALL) {
                // ∂z, ∂w, ∂A and ∂(e^{−rτ} w) along each direction.
                double dz, dw, dIntrinsic, dCoefficient;
                switch (direction) {
                    case MONEYNESS -> {
                        dz = dzdm;
                        dw = 0;
                        dIntrinsic = 1;
                        dCoefficient = 0;
                    }
                    case EXPIRY -> {
                        dw = w / (2 * tau);
                        dz = r / w - z / (2 * tau);
                        dIntrinsic = r * discount;
                        dCoefficient = discount * (dw - r * w);
                    }
                    case VOL -> {
                        dw = sqrtTau;
                        dz = -z / vol;
                        dIntrinsic = 0;
                        dCoefficient = discount * sqrtTau;
                    }
                    case RATE -> {
                        dw = 0;
                        dz = tau / w;
                        dIntrinsic = tau * discount;
                        dCoefficient = -tau * discount * w;
                    }
                    default -> throw new AssertionError();
                }
                int k = direction.ordinal();
                feature0Tangent[k] = dq * dz;
                feature1Tangent[k] = dw / scaling.wScale();
                baseTangent[k] = dIntrinsic * step + intrinsic * dStep * dz;
                coefficientTangent[k] = dCoefficient;
            }
        }

        /**
         * The call per unit strike with its Greeks in strike units (price/K, delta, gamma·K,
         * theta/K, vega/K, rho/K), from the network's output H at this point, its gradient
         * (∂H/∂f₀, ∂H/∂f₁) and ∂²H/∂f₀², by the chain rule through v = base + coefficient·H.
         * Writes the six numbers to {@code out} from {@code offset}, in {@link Valuation}'s order.
         */
        void perUnitStrike(double h, double dHdF0, double dHdF1, double d2HdF02, double[] out, int offset) {
            double dm = dHdF0 * feature0Tangent[0];
            out[offset] = base + coefficient * h;
            out[offset + 1] = baseTangent[0] + coefficient * dm;
            out[offset + 2] = baseSecondM + coefficient * (d2HdF02 * feature0Tangent[0] * feature0Tangent[0] + dHdF0 * feature0SecondM);
            for (int k = 1; k < DIRECTIONS; k++) {
                double dH = dHdF0 * feature0Tangent[k] + dHdF1 * feature1Tangent[k];
                double dv = baseTangent[k] + coefficientTangent[k] * h + coefficient * dH;
                out[offset + 2 + k] = k == Direction.EXPIRY.ordinal() ? -dv : dv;   // theta = −∂v/∂τ
            }
        }
    }
}
