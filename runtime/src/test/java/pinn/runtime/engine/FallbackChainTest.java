package pinn.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;
import pinn.runtime.ValuationColumns;

/** Each link of the chain forced to fail: nothing is lost, every result says who served it and why. */
class FallbackChainTest {

    /** An engine that delegates until it has priced {@code budget} options, then fails like a lost device. */
    private static final class FailingAfter implements PricingEngine {
        private final Engine id;
        private final PricingEngine delegate;
        private final AtomicInteger budget;

        FailingAfter(Engine id, PricingEngine delegate, int budget) {
            this.id = id;
            this.delegate = delegate;
            this.budget = new AtomicInteger(budget);
        }

        @Override
        public Engine id() {
            return id;
        }

        @Override
        public void price(OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out) {
            delegate.price(batch, from, to, greeks, out);
            if (budget.addAndGet(-(to - from)) < 0) throw new IllegalStateException("device lost (injected)");
        }

        @Override
        public void priceOne(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                             ValuationColumns out, int index) {
            if (budget.decrementAndGet() < 0) throw new IllegalStateException("device lost (injected)");
            delegate.priceOne(type, spot, strike, expiry, rate, vol, greeks, out, index);
        }

        @Override
        public int chunkSize() {
            return delegate.chunkSize();
        }
    }

    private static OptionBatch batch(int n) {
        double[] spot = new double[n];
        for (int i = 0; i < n; i++) spot[i] = 60 + 120.0 * i / n;
        return OptionBatch.builder().spot(spot).strike(100).expiry(0.8).rate(0.04).vol(0.3).type(OptionType.CALL).build();
    }

    private static double counter(PrometheusRegistry registry, String name, String label, String value) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (!snapshot.getMetadata().getPrometheusName().equals(name)) continue;
            double sum = 0;
            for (CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) snapshot).getDataPoints()) {
                if (label == null || value.equals(point.getLabels().get(label))) sum += point.getValue();
            }
            return sum;
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void aGpuFailureMidBatchIsRepricedOnTheCpu() {
        PrometheusRegistry registry = new PrometheusRegistry();
        // A stand-in GPU engine that fails after its first chunk: the rest of the batch moves to the CPU engine.
        try (PinnRuntime runtime = PinnRuntime.builder().threads(2).metricsRegistry(registry)
                .chain(engines -> {
                    List<PricingEngine> chain = new ArrayList<>();
                    chain.add(new FailingAfter(Engine.PINN_CUDA, engines.getFirst(), 1024));
                    chain.addAll(engines);
                    return chain;
                }).build()) {
            PricedBatch priced = runtime.price(batch(5000));
            int cuda = priced.count(Engine.PINN_CUDA), cpu = priced.count(Engine.PINN_CPU), analytic = priced.count(Engine.ANALYTIC);
            assertEquals(5000, cuda + cpu + analytic, "every option has a result");
            assertTrue(cuda >= 1 && cuda <= 1024, "the GPU served until it failed: " + cuda);
            assertTrue(cpu > 3000, "the CPU took over: " + cpu);
            for (int i = 0; i < 5000; i++) {
                if (priced.engine(i) == Engine.PINN_CPU) assertEquals(FallbackReason.ENGINE_FAILED, priced.fallback(i));
                if (priced.engine(i) == Engine.PINN_CUDA) assertEquals(FallbackReason.NONE, priced.fallback(i));
                double exact = BlackScholes.value(OptionType.CALL, 60 + 120.0 * i / 5000, 100, 0.8, 0.04, 0.3).price();
                assertEquals(exact, priced.price(i), 2e-3 * 100, "option " + i);
            }
            assertTrue(!priced.engineFailures().isEmpty() && priced.engineFailures().getFirst().startsWith("pinn-cuda failed on options "),
                    priced.engineFailures().toString());
            assertTrue(priced.engineFailures().getFirst().endsWith("device lost (injected)"));
            assertEquals(priced.engineFailures().size(), counter(registry, "pinn_engine_failures", "engine", "pinn-cuda"));
            assertEquals(5000, counter(registry, "pinn_options_priced", null, null), "every option counted once");
            assertEquals(cpu, counter(registry, "pinn_fallbacks", "reason", "engine-failed"));
        }
    }

    @Test
    void aCpuFailureFallsBackToTheFormulaForBatchesAndSingleOptions() {
        try (PinnRuntime runtime = PinnRuntime.builder().threads(2)
                .chain(engines -> List.of(new FailingAfter(Engine.PINN_CPU, engines.getFirst(), 0))).build()) {
            PricedBatch priced = runtime.price(batch(3000));
            assertEquals(3000, priced.count(Engine.ANALYTIC));
            for (int i = 0; i < 3000; i++) {
                assertEquals(FallbackReason.ENGINE_FAILED, priced.fallback(i));
                assertEquals(BlackScholes.value(OptionType.CALL, 60 + 120.0 * i / 3000, 100, 0.8, 0.04, 0.3), priced.get(i).valuation());
            }
            PricedOption one = runtime.price(OptionType.PUT, 100, 100, 1, 0.05, 0.2);
            assertEquals(Engine.ANALYTIC, one.engine());
            assertEquals(FallbackReason.ENGINE_FAILED, one.fallback());
            assertEquals(BlackScholes.value(OptionType.PUT, 100, 100, 1, 0.05, 0.2), one.valuation());
        }
    }

    @Test
    void resultsFailingTheSelfCheckAreRepricedAnalyticallyAndCounted() {
        PrometheusRegistry registry = new PrometheusRegistry();
        // No network result satisfies the PDE to 1e-12 (the default model's residuals are around 1e-4).
        try (PinnRuntime runtime = PinnRuntime.builder().selfCheck(new SelfCheck(1e-12)).metricsRegistry(registry).build()) {
            PricedOption one = runtime.price(OptionType.CALL, 100, 100, 1, 0.05, 0.2);
            assertEquals(Engine.ANALYTIC, one.engine());
            assertEquals(FallbackReason.SELF_CHECK, one.fallback());
            PricedBatch priced = runtime.price(batch(2000));
            assertEquals(2000, priced.count(Engine.ANALYTIC));
            assertEquals(2001, counter(registry, "pinn_self_check_rejections", null, null));
            assertEquals(2001, counter(registry, "pinn_fallbacks", "reason", "self-check"));
        }
        try (PinnRuntime runtime = PinnRuntime.open()) {
            PricedBatch priced = runtime.price(batch(2000));
            assertEquals(0, priced.count(Engine.ANALYTIC), "the default tolerance rejects nothing inside the domain");
        }
    }

    @Test
    void withoutAUsableGpuTheCpuLeadsAndTheReasonIsReportedAndExported() {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (PinnRuntime runtime = PinnRuntime.builder().metricsRegistry(registry).build()) {
            String report = runtime.engineReport();
            boolean gpu = report.contains("CUDA backend ready");
            double available = 0;
            String reason = null;
            for (MetricSnapshot snapshot : registry.scrape()) {
                String name = snapshot.getMetadata().getPrometheusName();
                if (name.equals("pinn_gpu_available")) available = ((GaugeSnapshot) snapshot).getDataPoints().getFirst().getValue();
                if (name.equals("pinn_gpu_info")) reason = ((GaugeSnapshot) snapshot).getDataPoints().getFirst().getLabels().get("reason");
            }
            assertEquals(gpu ? 1 : 0, available);
            if (!gpu) {
                assertTrue(report.contains("CUDA backend unavailable (" + reason + "): "), report + " / " + reason);
                assertEquals(FallbackReason.NONE, runtime.price(batch(100)).fallback(0), "the CPU engine leads: no fallback");
                assertEquals(Engine.PINN_CPU, runtime.price(batch(100)).engine(0));
            }
        }
        try (PinnRuntime runtime = PinnRuntime.builder().gpu(false).build()) {
            assertTrue(runtime.engineReport().contains("CUDA backend unavailable (disabled)"), runtime.engineReport());
        }
    }

    @Test
    void aBrokenResultNeverPassesTheSelfCheck() {
        ValuationColumns results = new ValuationColumns(1);
        results.set(0, Double.NaN, 0.5, 0.01, -5, 30, 40);
        assertTrue(!SelfCheck.DEFAULT.passes(100, 100, 0.05, 0.2, results, 0));
    }
}
