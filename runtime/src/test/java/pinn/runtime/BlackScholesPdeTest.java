package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.kernels.VectorBackend;

/**
 * The scaled residual weight(τ, σ)·(−v_τ + ½σ²m²·v_mm + r·m·v_m − r·v) against the analytic call.
 *
 * <p>Specification checked at 400 random points of m ∈ [0.5, 2], τ ∈ [0.02, 2], σ ∈ [0.05, 0.8],
 * r ∈ [0, 0.1], with the jet (v, [v_m, v_τ], v_mm) of the Black-Scholes call for K = 1
 * (v = price, v_m = delta, v_τ = −theta, v_mm = gamma):
 * <ul>
 *   <li>the residual is 0 to 1e-9 (the formula solves the PDE);
 *   <li>moving one component by c moves the residual by exactly that component's coefficient
 *       times c, to 1e-9: v + c by −r·c·√τ/σ, v_m + c by r·m·c·√τ/σ, v_τ + c by −c·√τ/σ,
 *       v_mm + c by ½σ²m²·c·√τ/σ;
 *   <li>a function that is not a solution, v = m², has its predicted residual weight(τ, σ)·m²·(σ² + r).
 * </ul>
 */
class BlackScholesPdeTest {

    private static final VectorBackend BACKEND = new VectorBackend(1);
    private static final int N = 400;
    private static final double C = 0.01;

    @AfterAll
    static void closeBackend() {
        BACKEND.close();
    }

    private static OptionPoints points() {
        SplittableRandom random = new SplittableRandom(2024);
        double[] m = new double[N], tau = new double[N], vol = new double[N], rate = new double[N];
        for (int i = 0; i < N; i++) {
            m[i] = random.nextDouble(0.5, 2.0);
            tau[i] = random.nextDouble(0.02, 2.0);
            vol[i] = random.nextDouble(0.05, 0.8);
            rate[i] = random.nextDouble(0.0, 0.1);
        }
        return new OptionPoints(m, tau, vol, rate);
    }

    /** The components of a jet along (m, τ) as plain arrays: v, v_m, v_τ, v_mm. */
    record Components(double[] v, double[] vm, double[] vtau, double[] vmm) {
        static Components analyticCall(OptionPoints p) {
            int n = p.size();
            Components c = new Components(new double[n], new double[n], new double[n], new double[n]);
            for (int i = 0; i < n; i++) {
                Valuation call = BlackScholes.value(OptionType.CALL, p.moneyness()[i], 1.0, p.expiry()[i], p.rate()[i], p.vol()[i]);
                c.v[i] = call.price();
                c.vm[i] = call.delta();
                c.vtau[i] = -call.theta();
                c.vmm[i] = call.gamma();
            }
            return c;
        }

        Components shifted(int component, double by) {
            double[][] parts = {v.clone(), vm.clone(), vtau.clone(), vmm.clone()};
            for (int i = 0; i < parts[component].length; i++) parts[component][i] += by;
            return new Components(parts[0], parts[1], parts[2], parts[3]);
        }
    }

    private static double[] residual(Components c, OptionPoints p) {
        int n = p.size();
        try (Tape tape = new Tape(BACKEND)) {
            Jet jet = new Jet(tape.tensor(n, 1, c.v), List.of(tape.tensor(n, 1, c.vm), tape.tensor(n, 1, c.vtau)), tape.tensor(n, 1, c.vmm));
            return BlackScholesPde.residual(tape, jet, p).toArray();
        }
    }

    private static String at(OptionPoints p, int i) {
        return "m " + p.moneyness()[i] + ", τ " + p.expiry()[i] + ", σ " + p.vol()[i] + ", r " + p.rate()[i];
    }

    @Test
    void theAnalyticCallHasZeroResidual() {
        OptionPoints p = points();
        double[] residual = residual(Components.analyticCall(p), p);
        for (int i = 0; i < N; i++) assertEquals(0.0, residual[i], 1e-9, "residual at " + at(p, i));
    }

    @Test
    void eachComponentEntersWithItsPredictedCoefficient() {
        OptionPoints p = points();
        Components exact = Components.analyticCall(p);
        String[] names = {"v + c", "v_m + c", "v_τ + c", "v_mm + c"};
        for (int component = 0; component < 4; component++) {
            double[] residual = residual(exact.shifted(component, C), p);
            for (int i = 0; i < N; i++) {
                double m = p.moneyness()[i], tau = p.expiry()[i], vol = p.vol()[i], r = p.rate()[i];
                double weight = BlackScholesPde.weight(tau, vol);
                // The coefficient of the shifted component in −v_τ + ½σ²m²·v_mm + r·m·v_m − r·v.
                double coefficient = switch (component) {
                    case 0 -> -r;
                    case 1 -> r * m;
                    case 2 -> -1;
                    default -> 0.5 * vol * vol * m * m;
                };
                assertEquals(coefficient * C * weight, residual[i], 1e-9, names[component] + " at " + at(p, i));
            }
        }
    }

    @Test
    void aNonSolutionHasItsPredictedResidual() {
        // v = m²: v_m = 2m, v_mm = 2, v_τ = 0, so −v_τ + ½σ²m²·2 + r·m·2m − r·m² = m²(σ² + r).
        OptionPoints p = points();
        double[] m = p.moneyness();
        Components square = new Components(new double[N], new double[N], new double[N], new double[N]);
        for (int i = 0; i < N; i++) {
            square.v()[i] = m[i] * m[i];
            square.vm()[i] = 2 * m[i];
            square.vmm()[i] = 2;
        }
        double[] residual = residual(square, p);
        for (int i = 0; i < N; i++) {
            double vol = p.vol()[i], expected = BlackScholesPde.weight(p.expiry()[i], vol) * m[i] * m[i] * (vol * vol + p.rate()[i]);
            assertEquals(expected, residual[i], 1e-12 * Math.abs(expected) + 1e-12, "residual of m² at " + at(p, i));
        }
    }
}
