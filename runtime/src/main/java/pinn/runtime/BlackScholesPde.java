package pinn.runtime;

import java.util.List;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;

/**
 * The Black-Scholes PDE in strike units, the only thing the network is trained on. With
 * V = K·v(m, τ, σ, r) and m = S/K, the PDE −V_τ + ½σ²S²V_SS + rSV_S − rV = 0 becomes
 *
 * <pre>
 *   −v_τ + ½σ²m²·v_mm + r·m·v_m − r·v = 0.
 * </pre>
 *
 * <p>Near the strike at small τ its terms grow like σ/√τ; the residual is multiplied by √τ/σ so
 * that every region of the domain speaks with a comparable voice in the loss, and by
 * √(w₀/w) with w = σ√τ and w₀ = {@value #REFERENCE_TOTAL_VOL}, which leans on small total
 * volatility: there gamma ≈ H_zz/(m²w) magnifies the network's error by 1/w.
 */
public final class BlackScholesPde {

    /** The directions a residual needs: m (first, with the second derivative) and τ. */
    public static final List<Direction> DIRECTIONS = List.of(Direction.MONEYNESS, Direction.EXPIRY);

    /** The total volatility σ√τ at which the small-w emphasis is 1. */
    static final double REFERENCE_TOTAL_VOL = 0.25;

    private BlackScholesPde() {}

    /** The factor the residual at (τ, σ) is multiplied by: √τ/σ · √(w₀/(σ√τ)). */
    static double weight(double expiry, double vol) {
        double sqrtTau = Math.sqrt(expiry);
        return sqrtTau / vol * Math.sqrt(REFERENCE_TOTAL_VOL / (vol * sqrtTau));
    }

    /** The scaled residual at each point (n×1) from the jet of v along {@link #DIRECTIONS}. */
    public static Tensor residual(Tape tape, Jet v, OptionPoints points) {
        int n = points.size();
        double[] onValue = new double[n], onDm = new double[n], onDmm = new double[n], onDtau = new double[n];
        for (int i = 0; i < n; i++) {
            double m = points.moneyness()[i], tau = points.expiry()[i], vol = points.vol()[i], r = points.rate()[i];
            double weight = weight(tau, vol);
            onValue[i] = -r * weight;
            onDm[i] = r * m * weight;
            onDmm[i] = 0.5 * vol * vol * m * m * weight;
            onDtau[i] = -weight;
        }
        Tensor residual = tape.mul(tape.tensor(n, 1, onDtau), v.tangent(1));
        residual = tape.add(residual, tape.mul(tape.tensor(n, 1, onDmm), v.second()));
        residual = tape.add(residual, tape.mul(tape.tensor(n, 1, onDm), v.tangent(0)));
        return tape.add(residual, tape.mul(tape.tensor(n, 1, onValue), v.value()));
    }
}
