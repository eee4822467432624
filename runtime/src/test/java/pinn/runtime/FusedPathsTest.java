package pinn.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinn.autodiff.Tape;
import pinn.kernels.VectorBackend;

/**
 * The two serving paths, the fused single-option jets ({@link SingleOptionPricer}) and the GEMM
 * batch ({@link CallBatch}), against the tape's four-direction jets of
 * {@link PricingNetwork#value}: the same numbers up to rounding, 1e-12 relative.
 */
class FusedPathsTest {

    private static final double RELATIVE = 1e-12;
    private static PricingNetwork network;

    @BeforeAll
    static void open() throws Exception {
        network = DefaultModel.open(new VectorBackend(1));
    }

    @AfterAll
    static void close() {
        network.close();
    }

    /** |actual − expected| ≤ 1e-12 · max(|expected|, scale): scale keeps Greeks that pass through zero comparable. */
    private static void assertClose(String what, double expected, double actual, double scale) {
        double tolerance = RELATIVE * Math.max(Math.abs(expected), scale);
        assertTrue(Math.abs(actual - expected) <= tolerance,
                what + ": expected " + expected + ", got " + actual + " (difference " + (actual - expected) + ", tolerance " + tolerance + ")");
    }

    private static void assertSame(Valuation expected, ValuationColumns actual, int i, double strike) {
        assertClose("price", expected.price(), actual.price(i), strike);
        assertClose("delta", expected.delta(), actual.delta(i), 1);
        assertClose("gamma", expected.gamma(), actual.gamma(i), 1 / strike);
        assertClose("theta", expected.theta(), actual.theta(i), strike);
        assertClose("vega", expected.vega(), actual.vega(i), strike);
        assertClose("rho", expected.rho(), actual.rho(i), strike);
    }

    @Test
    void singleOptionJetsEqualTheTape() {
        SplittableRandom random = new SplittableRandom(7);
        ValuationColumns out = new ValuationColumns(1);
        try (SingleOptionPricer pricer = new SingleOptionPricer(network)) {
            for (int k = 0; k < 500; k++) {
                OptionType type = random.nextBoolean() ? OptionType.CALL : OptionType.PUT;
                double strike = 10 + 190 * random.nextDouble(), spot = strike * (0.5 + 1.5 * random.nextDouble());
                double expiry = 0.02 + 1.98 * random.nextDouble(), rate = 0.1 * random.nextDouble(), vol = 0.05 + 0.75 * random.nextDouble();
                Valuation tape = network.value(type, spot, strike, expiry, rate, vol);
                pricer.price(type, spot, strike, expiry, rate, vol, true, out, 0);
                assertSame(tape, out, 0, strike);
                pricer.price(type, spot, strike, expiry, rate, vol, false, out, 0);
                assertClose("price only", tape.price(), out.price(0), strike);
                assertTrue(Double.isNaN(out.delta(0)), "price-only leaves the Greeks NaN");
            }
        }
    }

    @Test
    void batchJetsEqualTheTape() {
        int n = 300;
        CallBatch batch = new CallBatch(512);
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < n; i++) {
            batch.moneyness[i] = 0.5 + 1.5 * random.nextDouble();
            batch.expiry[i] = 0.02 + 1.98 * random.nextDouble();
            batch.vol[i] = 0.05 + 0.75 * random.nextDouble();
            batch.rate[i] = 0.1 * random.nextDouble();
        }
        ValuationColumns out = new ValuationColumns(n);
        try (Tape tape = new Tape(network.mlp().backend())) {
            batch.price(network, tape, n, true);
        }
        for (int i = 0; i < n; i++) {
            out.setFromPerUnitStrike(i, OptionType.CALL, batch.moneyness[i], 1, batch.expiry[i], batch.rate[i], batch.perUnitStrike, 6 * i);
            assertSame(network.value(OptionType.CALL, batch.moneyness[i], 1, batch.expiry[i], batch.rate[i], batch.vol[i]), out, i, 1);
        }
        try (Tape tape = new Tape(network.mlp().backend())) {
            batch.price(network, tape, n, false);
        }
        for (int i = 0; i < n; i++) assertClose("batch price only", out.price(i), batch.perUnitStrike[6 * i], 1);
    }

    @Test
    void aPricerRefusesToReadAClosedNetwork() throws Exception {
        PricingNetwork own = DefaultModel.open(new VectorBackend(1));
        SingleOptionPricer pricer = new SingleOptionPricer(own);
        own.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> pricer.price(OptionType.CALL, 100, 100, 1, 0.05, 0.2, true, new ValuationColumns(1), 0));
        assertEquals("this pricer's network was closed", e.getMessage());
        pricer.close();
    }
}
