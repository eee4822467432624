package pinn.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import pinn.runtime.OptionType;
import pinn.runtime.engine.Outputs;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedBatch;

/**
 * Latency percentiles of one embedded call, recorded call by call in an HdrHistogram: what a
 * caller on one thread sees for {@link PinnRuntime#priceInto} on the default model, after a
 * warm-up long enough for the JIT. Complements {@link EngineLatencyBenchmark} (JMH sample mode),
 * whose percentiles come from sampled calls.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar pinn.bench.EngineLatencyReport [calls] [model]</pre>
 *
 * <p>{@code model} is one of {@link BenchModels}' names: {@code default} (the default) or {@code 64x4}.
 */
public final class EngineLatencyReport {

    private EngineLatencyReport() {}

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        String model = args.length > 1 ? args[1] : BenchModels.DEFAULT;
        int points = 1024;
        double[] spot = new double[points], expiry = new double[points], rate = new double[points], vol = new double[points];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < points; i++) {
            spot[i] = 100 * (0.6 + 1.3 * random.nextDouble());
            expiry[i] = 0.05 + 1.9 * random.nextDouble();
            rate[i] = 0.1 * random.nextDouble();
            vol[i] = 0.06 + 0.7 * random.nextDouble();
        }
        try (PinnRuntime runtime = PinnRuntime.builder().threads(1).model(model, BenchModels.file(model)).build()) {
            PricedBatch out = new PricedBatch(1);
            System.out.println("model " + model + ", layer sizes " + runtime.currentModel().layerSizes());
            System.out.println("outputs            calls     p50 ns   p90 ns   p99 ns  p99.9 ns   max ns");
            for (Outputs outputs : new Outputs[] {Outputs.PRICE_AND_GREEKS, Outputs.PRICE, Outputs.PRICE_AND_GREEKS, Outputs.PRICE}) {
                Histogram histogram = new Histogram(10_000_000_000L, 3);
                for (int k = 0; k < calls; k++) {
                    int i = k & (points - 1);
                    long start = System.nanoTime();
                    runtime.priceInto(OptionType.CALL, spot[i], 100, expiry[i], rate[i], vol[i], outputs, out, 0);
                    histogram.recordValue(System.nanoTime() - start);
                }
                System.out.printf(Locale.ROOT, "%-16s %8d %9d %8d %8d %9d %8d%n", outputs, calls,
                        histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
                        histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
            }
            System.out.println("(the first two rows include the JIT warm-up; read the last two)");
        }
    }
}
