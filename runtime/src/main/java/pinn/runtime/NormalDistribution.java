package pinn.runtime;

/**
 * The standard normal distribution N(0, 1): density φ and cumulative distribution Φ, accurate to a
 * few units in the last place of a double over the whole real line, including both tails.
 *
 * <p>Φ is computed from the scaled complementary error function erfcx(y) = exp(y²)·erfc(y) using
 * W. J. Cody's rational Chebyshev approximations (Math. Comp. 23 (1969) 631-637, as published in
 * his SPECFUN routine CALERF), with the Gaussian factor exp(−x²/2) evaluated separately and with
 * care. The lower tail is never formed as 1 − Φ(x), so Φ(−10) ≈ 7.6e-24 keeps all its digits.
 * Both functions are dimensionless; arguments are in standard deviations.
 */
public final class NormalDistribution {

    private static final double ONE_OVER_SQRT_TWO = 0.70710678118654752440;
    private static final double ONE_OVER_SQRT_TWO_PI = 0.39894228040143267794;
    private static final double ONE_OVER_SQRT_PI = 0.56418958354775628695;
    private static final double SQRT_HALF_PI = 1.25331413731550025121;

    /** Below this |x|/√2 Cody evaluates erf itself; above it erfc (no cancellation either way). */
    private static final double ERF_THRESHOLD = 0.46875;
    /** Beyond this y, erfcx(y) = 1/(y√π) to double precision and the rational term underflows. */
    private static final double ERFCX_ASYMPTOTIC = 6.71e7;
    /** Below this x, Φ(x) < half the smallest subnormal double and rounds to zero. */
    private static final double CDF_UNDERFLOW = -38.5;
    /** Beyond this |x|, φ(x) rounds to zero. */
    private static final double PDF_UNDERFLOW = 38.7;

    // Cody's coefficients: erf(y) ≈ y·A(y²)/B(y²) for |y| ≤ 0.46875.
    private static final double[] A = {
        3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
        3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] B = {
        2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
        2.84423683343917062e03};
    // erfcx(y) ≈ C(y)/D(y) for 0.46875 ≤ y ≤ 4.
    private static final double[] C = {
        5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
        2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
        2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] D = {
        1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
        1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
        3.43936767414372164e03, 1.23033935480374942e03};
    // erfcx(y) ≈ (1/√π − z·P(z)/Q(z))/y with z = 1/y², for y > 4.
    private static final double[] P = {
        3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
        1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {
        2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
        6.05183413124413191e-2, 2.33520497626869185e-3};

    private NormalDistribution() {
    }

    /**
     * The density φ(x) = exp(−x²/2)/√(2π).
     *
     * @param x argument in standard deviations
     * @return φ(x), relative error a few ulp while φ(x) is a normal double
     */
    public static double normalPdf(double x) {
        double ax = Math.abs(x);
        if (ax > PDF_UNDERFLOW) {
            return Double.isNaN(x) ? Double.NaN : 0.0;
        }
        double halfGaussian = sqrtExpMinusHalfSquare(ax);
        // Multiply the last factor in on its own so a subnormal result is rounded only once.
        return ONE_OVER_SQRT_TWO_PI * halfGaussian * remainderGaussian(ax) * halfGaussian;
    }

    /**
     * The cumulative distribution Φ(x) = P(Z ≤ x) for Z ~ N(0, 1).
     *
     * @param x argument in standard deviations
     * @return Φ(x) in [0, 1]; relative error a few ulp in both tails while Φ(x) is a normal double
     *     (below about −37.5 it is subnormal and correctly rounded from a few-ulp intermediate)
     */
    public static double normalCdf(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < CDF_UNDERFLOW) {
            return 0.0;
        }
        double ax = Math.abs(x);
        double y = ax * ONE_OVER_SQRT_TWO;
        if (y <= ERF_THRESHOLD) {
            // Φ ≥ 0.3 here, so 0.5 ± erf/2 loses nothing.
            return 0.5 + 0.5 * erfSmall(x * ONE_OVER_SQRT_TWO);
        }
        // Upper-tail probability Q(|x|) = erfc(y)/2 = erfcx(y)·exp(−x²/2)/2.
        double tail;
        if (ax > -CDF_UNDERFLOW) {
            tail = 0.0; // only for x > 0, where 1 − tail rounds to 1 anyway
        } else {
            double halfGaussian = sqrtExpMinusHalfSquare(ax);
            tail = 0.5 * erfcxLarge(y) * remainderGaussian(ax) * halfGaussian * halfGaussian;
        }
        return x < 0 ? tail : 1.0 - tail;
    }

    /**
     * Mills' ratio Φ(−z)/φ(z) for z ≥ 0, a smooth function falling from √(π/2) at 0 like 1/z. It
     * lets a difference of two tail probabilities with a common Gaussian factor be formed without
     * that factor, which is how {@link BlackScholes} keeps out-of-the-money prices accurate.
     */
    static double millsRatio(double z) {
        double y = z * ONE_OVER_SQRT_TWO;
        if (y <= ERF_THRESHOLD) {
            return (0.5 - 0.5 * erfSmall(y)) / normalPdf(z);
        }
        return SQRT_HALF_PI * erfcxLarge(y);
    }

    /**
     * Φ(x) − ½ = P(0 &lt; Z ≤ x), without the cancellation of forming Φ(x) first when x is near 0:
     * for |x| ≈ 1e-16 it returns x·φ(0), not 0.
     */
    static double normalCdfMinusHalf(double x) {
        if (Math.abs(x) * ONE_OVER_SQRT_TWO <= ERF_THRESHOLD) {
            return 0.5 * erfSmall(x * ONE_OVER_SQRT_TWO);
        }
        return normalCdf(x) - 0.5; // |result| > 0.24: at most one bit lost
    }

    /** erf(y) for |y| ≤ 0.46875. */
    private static double erfSmall(double y) {
        double ysq = y * y;
        double num = A[4] * ysq;
        double den = ysq;
        for (int i = 0; i < 3; i++) {
            num = (num + A[i]) * ysq;
            den = (den + B[i]) * ysq;
        }
        return y * (num + A[3]) / (den + B[3]);
    }

    /** erfcx(y) = exp(y²)·erfc(y) for y ≥ 0.46875. */
    private static double erfcxLarge(double y) {
        if (y <= 4.0) {
            double num = C[8] * y;
            double den = y;
            for (int i = 0; i < 7; i++) {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }
            return (num + C[7]) / (den + D[7]);
        }
        if (y >= ERFCX_ASYMPTOTIC) {
            return ONE_OVER_SQRT_PI / y;
        }
        double z = 1.0 / (y * y);
        double num = P[5] * z;
        double den = z;
        for (int i = 0; i < 4; i++) {
            num = (num + P[i]) * z;
            den = (den + Q[i]) * z;
        }
        double correction = z * (num + P[4]) / (den + Q[4]);
        return (ONE_OVER_SQRT_PI - correction) / y;
    }

    /*
     * exp(−x²/2) loses digits if x² is rounded first: a relative error ε in x²/2 = 50 becomes a
     * relative error 50ε in the exponential. So split x = h + (x − h) with h = x rounded down to a
     * multiple of 1/16: h²/2 is exact, and exp(−x²/2) = exp(−h²/2)·exp(−(x − h)(x + h)/2), where
     * the second exponent is small and its rounding error harmless. exp(−h²/2) is taken as the
     * square of exp(−h²/4) so that no intermediate underflows before the final product.
     */

    /** exp(−h²/4) for h = |x| rounded down to a multiple of 1/16; both steps are exact. */
    private static double sqrtExpMinusHalfSquare(double ax) {
        double h = Math.floor(ax * 16.0) / 16.0;
        return Math.exp(-0.25 * h * h);
    }

    /** exp(−(x − h)(x + h)/2), the part of exp(−x²/2) not covered by the split-off h. */
    private static double remainderGaussian(double ax) {
        double h = Math.floor(ax * 16.0) / 16.0;
        return Math.exp(-0.5 * (ax - h) * (ax + h));
    }
}
