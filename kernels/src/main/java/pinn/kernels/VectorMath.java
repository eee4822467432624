package pinn.kernels;

import static pinn.kernels.GemmKernels.DOUBLE;
import static pinn.kernels.GemmKernels.LANES;
import static pinn.kernels.GemmKernels.ORDER;
import static pinn.kernels.GemmKernels.SPECIES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp, log and tanh over an index range [from, to), vectorised, built only from IEEE
 * arithmetic (add, multiply, FMA, divide, bit operations).
 *
 * <p>Why not {@code lanewise(EXP)} and friends: the Vector API computes those with one
 * implementation when interpreted and another (SVML) when compiled, and the two differ in the
 * last bit, so the same call could give different bits before and after warm-up. Plain arithmetic
 * gives the same bits in every execution tier, and it is as fast once inlined into the loop.
 *
 * <p>Why each function holds its whole loop, with the arithmetic written out in the loop body (tanh
 * repeats the exponential): C2 keeps a vector in registers only while every method it passes through
 * is inlined. The Vector API's own methods always are; an ordinary helper taking or returning a
 * vector may not be (callee too large, or already compiled into a big method), and then every
 * vector crossing the call is boxed on the heap. The last partial vector is run through the same
 * loop in a zero-padded scratch vector, so a value's result never depends on its position.
 *
 * <p>Accuracy, measured against {@link StrictMath} (fdlibm) over the whole double range (see
 * {@code VectorMathTest}): exp within 1 ulp, log within 1 ulp, tanh within 2 ulps (absolute
 * error at most 2.3e-16, since |tanh| &lt; 1); {@link Math#tanh} is 2 ulps from StrictMath too.
 * Special values follow {@link Math}: NaN in gives NaN, exp(−∞) = 0, exp(+∞) = +∞, log(0) = −∞,
 * log(x &lt; 0) = NaN, log(+∞) = +∞, tanh(±∞) = ±1, and tanh keeps the sign of zero.
 */
final class VectorMath {

    private VectorMath() {}

    private static final double LOG2_E = 1.4426950408889634;
    // ln 2 split in two: HI has trailing zero bits, so k · HI is exact for the |k| ≤ 1100 used here.
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    // Adding 1.5·2^52 rounds a double of magnitude < 2^51 to an integer held in the low mantissa bits.
    private static final double ROUNDER = 0x1.8p52;
    private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
    private static final long SIGN_BIT = Long.MIN_VALUE;
    private static final long SQRT_HALF_BITS = Double.doubleToRawLongBits(0.7071067811865476);

    // Taylor coefficients 1/i! of e^r: on |r| ≤ ln2/2 the truncation error after 1/13! is below 5e-18.
    private static final double E2 = 1.0 / 2, E3 = 1.0 / 6, E4 = 1.0 / 24, E5 = 1.0 / 120, E6 = 1.0 / 720,
            E7 = 1.0 / 5040, E8 = 1.0 / 40320, E9 = 1.0 / 362880, E10 = 1.0 / 3628800, E11 = 1.0 / 39916800,
            E12 = 1.0 / 479001600, E13 = 1.0 / 6227020800.0;

    // log(1 + f) = f − f²/2 + s·(f²/2 + R), s = f/(2 + f), R = z·(L0 + z·(L1 + …)), z = s², Lj = 2/(2j+3):
    // on z ≤ 0.0295 the truncation error after L9 is below 1e-19 of the result.
    private static final double L0 = 2.0 / 3, L1 = 2.0 / 5, L2 = 2.0 / 7, L3 = 2.0 / 9, L4 = 2.0 / 11,
            L5 = 2.0 / 13, L6 = 2.0 / 15, L7 = 2.0 / 17, L8 = 2.0 / 19, L9 = 2.0 / 21;

    // tanh x for |x| < 1 = x − x³·P(x²)/Q(x²), the [9/8] Padé approximant from Lambert's continued
    // fraction written as a correction to x: relative error below 3e-17 there.
    private static final double P0 = 11486475, P1 = 810810, P2 = 12870, P3 = 44;
    private static final double Q0 = 34459425, Q1 = 16216200, Q2 = 945945, Q3 = 13860, Q4 = 45;
    private static final double TANH_SERIES_LIMIT = 1.0;

    /** A loop over [from, to) that {@link #lastPartialVector} can run once more on a padded copy. */
    @FunctionalInterface
    private interface Loop {
        void run(int from, int to, MemorySegment x, MemorySegment out);
    }

    /** out = eˣ over [from, to), within 1 ulp; overflow gives +∞, subnormal results are rounded once. */
    static void exp(int from, int to, MemorySegment x, MemorySegment out) {
        int i = from;
        for (int end = from + SPECIES.loopBound(to - from); i < end; i += LANES) {
            long o = i * 8L;
            // Outside [-746, 710] the result is 0 or +∞ anyway; clamping keeps k small. NaN passes through.
            DoubleVector v = DoubleVector.fromMemorySegment(SPECIES, x, o, ORDER).max(-746.0).min(710.0);
            // x = k·ln2 + r with k an integer and |r| ≤ ln2/2
            DoubleVector kr = v.fma(LOG2_E, ROUNDER);
            DoubleVector k = kr.sub(ROUNDER);
            DoubleVector r = k.fma(DoubleVector.broadcast(SPECIES, -LN2_HI), v);
            r = k.fma(DoubleVector.broadcast(SPECIES, -LN2_LO), r);
            DoubleVector p = r.fma(E13, E12).fma(r, DoubleVector.broadcast(SPECIES, E11))
                    .fma(r, DoubleVector.broadcast(SPECIES, E10)).fma(r, DoubleVector.broadcast(SPECIES, E9))
                    .fma(r, DoubleVector.broadcast(SPECIES, E8)).fma(r, DoubleVector.broadcast(SPECIES, E7))
                    .fma(r, DoubleVector.broadcast(SPECIES, E6)).fma(r, DoubleVector.broadcast(SPECIES, E5))
                    .fma(r, DoubleVector.broadcast(SPECIES, E4)).fma(r, DoubleVector.broadcast(SPECIES, E3))
                    .fma(r, DoubleVector.broadcast(SPECIES, E2)).fma(r, DoubleVector.broadcast(SPECIES, 1.0))
                    .fma(r, DoubleVector.broadcast(SPECIES, 1.0));
            // Multiply by 2^k in two halves: each half is a normal double even when 2^k alone is not.
            LongVector ki = kr.viewAsIntegralLanes().sub(ROUNDER_BITS);
            LongVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            LongVector k2 = ki.sub(k1);
            DoubleVector scale1 = k1.add(1023).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector scale2 = k2.add(1023).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            p.mul(scale1).mul(scale2).intoMemorySegment(out, o, ORDER);
        }
        if (i < to) lastPartialVector(i, to, x, out, VectorMath::exp);
    }

    /** out = ln x over [from, to), within 1 ulp; log(0) = −∞, log(negative) = NaN, log(+∞) = +∞. */
    static void log(int from, int to, MemorySegment x, MemorySegment out) {
        int i = from;
        for (int end = from + SPECIES.loopBound(to - from); i < end; i += LANES) {
            long o = i * 8L;
            DoubleVector v = DoubleVector.fromMemorySegment(SPECIES, x, o, ORDER);
            // Subnormals: scale into the normal range first and take 54 off the exponent.
            VectorMask<Double> subnormal = v.lt(0x1p-1022);
            LongVector bits = v.blend(v.mul(0x1p54), subnormal).viewAsIntegralLanes();
            // x = 2^e · m with m in [√½, √2): subtracting the bits of √½ moves the exponent boundary there.
            LongVector e = bits.sub(SQRT_HALF_BITS).lanewise(VectorOperators.ASHR, 52);
            DoubleVector m = bits.sub(e.lanewise(VectorOperators.LSHL, 52)).viewAsFloatingLanes();
            DoubleVector exponent = ((DoubleVector) e.convert(VectorOperators.L2D, 0)).sub(54.0, subnormal);
            // f = m − 1 is exact (Sterbenz) and carries the result; the rest is a small correction.
            DoubleVector f = m.sub(1.0);
            DoubleVector s = f.div(f.add(2.0));
            DoubleVector z = s.mul(s);
            DoubleVector r = z.fma(L9, L8).fma(z, DoubleVector.broadcast(SPECIES, L7))
                    .fma(z, DoubleVector.broadcast(SPECIES, L6)).fma(z, DoubleVector.broadcast(SPECIES, L5))
                    .fma(z, DoubleVector.broadcast(SPECIES, L4)).fma(z, DoubleVector.broadcast(SPECIES, L3))
                    .fma(z, DoubleVector.broadcast(SPECIES, L2)).fma(z, DoubleVector.broadcast(SPECIES, L1))
                    .fma(z, DoubleVector.broadcast(SPECIES, L0)).mul(z);
            DoubleVector halfFSquared = f.mul(f).mul(0.5);
            // e·ln2 + log(1 + f), the small parts added first (fdlibm's order)
            DoubleVector small = s.fma(halfFSquared.add(r), exponent.mul(LN2_LO));
            DoubleVector result = exponent.fma(DoubleVector.broadcast(SPECIES, LN2_HI), halfFSquared.sub(small).sub(f).neg());
            result = result.blend(Double.NEGATIVE_INFINITY, v.eq(0.0));
            result = result.blend(Double.POSITIVE_INFINITY, v.eq(Double.POSITIVE_INFINITY));
            result = result.blend(Double.NaN, v.lt(0.0).or(v.test(VectorOperators.IS_NAN)));
            result.intoMemorySegment(out, o, ORDER);
        }
        if (i < to) lastPartialVector(i, to, x, out, VectorMath::log);
    }

    /**
     * out = tanh x over [from, to), within 2 ulps (absolute error ≤ 2.3e-16). For |x| &lt; 1 the
     * Padé correction to x; for |x| ≥ 1, 1 − 2u/(1 + u) with u = e^(−2|x|) ≤ 0.14, which damps the
     * error of u. One division serves both branches. A vector whose lanes all have |x| &lt; 1
     * skips the exponential: the same operations per lane, so the same bits, in about a third of
     * the time (on the default model, most vectors of the first two hidden layers and a third to
     * a half of the last two).
     */
    static void tanh(int from, int to, MemorySegment x, MemorySegment out) {
        int i = from;
        for (int end = from + SPECIES.loopBound(to - from); i < end; i += LANES) {
            long o = i * 8L;
            DoubleVector v = DoubleVector.fromMemorySegment(SPECIES, x, o, ORDER);
            DoubleVector ax = v.abs().min(20.0); // tanh(20) rounds to 1; NaN passes through
            DoubleVector z = ax.mul(ax);
            DoubleVector p = z.fma(P3, P2).fma(z, DoubleVector.broadcast(SPECIES, P1))
                    .fma(z, DoubleVector.broadcast(SPECIES, P0));
            DoubleVector q = z.fma(Q4, Q3).fma(z, DoubleVector.broadcast(SPECIES, Q2))
                    .fma(z, DoubleVector.broadcast(SPECIES, Q1)).fma(z, DoubleVector.broadcast(SPECIES, Q0));
            VectorMask<Double> small = ax.lt(TANH_SERIES_LIMIT);
            DoubleVector t;
            if (small.allTrue()) {
                // The common case in a trained network's hidden layers: skip the exponential.
                t = ax.sub(ax.mul(z).mul(p).div(q));
            } else {
                // u = e^(−2|x|), as in exp above; the argument lies in [−40, 0], so one scale factor 2^k will do.
                DoubleVector y = ax.mul(-2.0);
                DoubleVector kr = y.fma(LOG2_E, ROUNDER);
                DoubleVector k = kr.sub(ROUNDER);
                DoubleVector r = k.fma(DoubleVector.broadcast(SPECIES, -LN2_HI), y);
                r = k.fma(DoubleVector.broadcast(SPECIES, -LN2_LO), r);
                DoubleVector u = r.fma(E13, E12).fma(r, DoubleVector.broadcast(SPECIES, E11))
                        .fma(r, DoubleVector.broadcast(SPECIES, E10)).fma(r, DoubleVector.broadcast(SPECIES, E9))
                        .fma(r, DoubleVector.broadcast(SPECIES, E8)).fma(r, DoubleVector.broadcast(SPECIES, E7))
                        .fma(r, DoubleVector.broadcast(SPECIES, E6)).fma(r, DoubleVector.broadcast(SPECIES, E5))
                        .fma(r, DoubleVector.broadcast(SPECIES, E4)).fma(r, DoubleVector.broadcast(SPECIES, E3))
                        .fma(r, DoubleVector.broadcast(SPECIES, E2)).fma(r, DoubleVector.broadcast(SPECIES, 1.0))
                        .fma(r, DoubleVector.broadcast(SPECIES, 1.0));
                LongVector scaleBits = kr.viewAsIntegralLanes().sub(ROUNDER_BITS).add(1023).lanewise(VectorOperators.LSHL, 52);
                u = u.mul(scaleBits.viewAsFloatingLanes());

                // The same operations per lane as the branch above for the lanes with |x| < 1.
                DoubleVector base = DoubleVector.broadcast(SPECIES, 1.0).blend(ax, small);
                DoubleVector num = u.add(u).blend(ax.mul(z).mul(p), small);
                DoubleVector den = u.add(1.0).blend(q, small);
                t = base.sub(num.div(den));
            }
            // tanh is odd: put the sign of x on |tanh x| (this keeps −0, and the sign of a NaN)
            LongVector signed = t.viewAsIntegralLanes().or(v.viewAsIntegralLanes().and(SIGN_BIT));
            signed.viewAsFloatingLanes().intoMemorySegment(out, o, ORDER);
        }
        if (i < to) lastPartialVector(i, to, x, out, VectorMath::tanh);
    }

    /** Runs {@code loop} on the last (fewer than LANES) elements, padded with zeros to a whole vector. */
    private static void lastPartialVector(int from, int to, MemorySegment x, MemorySegment out, Loop loop) {
        Scratch scratch = Scratch.local();
        MemorySegment in = scratch.panel(LANES), result = scratch.panelOut(LANES);
        for (int i = 0; i < LANES; i++) in.set(DOUBLE, i * 8L, from + i < to ? x.get(DOUBLE, (from + i) * 8L) : 0.0);
        loop.run(0, LANES, in, result);
        for (int i = from; i < to; i++) out.set(DOUBLE, i * 8L, result.get(DOUBLE, (i - from) * 8L));
    }
}
