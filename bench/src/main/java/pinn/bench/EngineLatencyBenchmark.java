package pinn.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import pinn.runtime.OptionType;
import pinn.runtime.engine.Outputs;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedBatch;

/**
 * The embedding API's latency path: one option through {@link PinnRuntime#priceInto} on the
 * default model (validation, domain check, fused forward-mode jets, self-check, metrics), into a
 * reused result, so nothing is allocated per call ({@code -prof gc} shows it). Sample-time mode
 * gives the percentiles; the options cycle through 1024 random points of the domain so that no
 * branch predictor learns one input.
 *
 * <p>Targets (issue 4): price + Greeks p50 ≤ 5 µs, p99 ≤ 10 µs; price only p50 ≤ 1 µs. ONNX
 * Runtime Java takes about 12 µs p50 for the price alone on this machine (see the guide).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EngineLatencyBenchmark {

    static final int POINTS = 1024;

    /** See {@link BenchModels}. */
    @Param({BenchModels.DEFAULT, BenchModels.WIDE})
    public String model;

    PinnRuntime runtime;
    PricedBatch out;
    double[] spot, expiry, rate, vol;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = PinnRuntime.builder().threads(1).model(model, BenchModels.file(model)).build();
        out = new PricedBatch(1);
        spot = new double[POINTS];
        expiry = new double[POINTS];
        rate = new double[POINTS];
        vol = new double[POINTS];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < POINTS; i++) {
            spot[i] = 100 * (0.6 + 1.3 * random.nextDouble());
            expiry[i] = 0.05 + 1.9 * random.nextDouble();
            rate[i] = 0.1 * random.nextDouble();
            vol[i] = 0.06 + 0.7 * random.nextDouble();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
    }

    @Benchmark
    public void priceAndGreeks(Blackhole blackhole) {
        int i = next++ & (POINTS - 1);
        runtime.priceInto(OptionType.CALL, spot[i], 100, expiry[i], rate[i], vol[i], Outputs.PRICE_AND_GREEKS, out, 0);
        blackhole.consume(out.valuations().gamma(0));
    }

    @Benchmark
    public void priceOnly(Blackhole blackhole) {
        int i = next++ & (POINTS - 1);
        runtime.priceInto(OptionType.CALL, spot[i], 100, expiry[i], rate[i], vol[i], Outputs.PRICE, out, 0);
        blackhole.consume(out.price(0));
    }
}
