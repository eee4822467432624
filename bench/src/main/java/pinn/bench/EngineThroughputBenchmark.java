package pinn.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import pinn.runtime.OptionType;
import pinn.runtime.engine.OptionBatch;
import pinn.runtime.engine.Outputs;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedBatch;

/**
 * The embedding API's throughput path: a batch of {@value #OPTIONS} options (spot, expiry, rate
 * and vol arrays, strike and type scalars) through {@link PinnRuntime#price(OptionBatch, Outputs)},
 * split into GEMM blocks across {@code threads} workers. Scores are options per second.
 *
 * <p>Targets (issue 4, 2 cores): price only ≥ 2.5 M options/s, price + Greeks ≥ 0.5 M options/s;
 * ONNX Runtime Java reaches about 1 M options/s for the price on this machine (see the guide).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class EngineThroughputBenchmark {

    static final int OPTIONS = 100_000;

    @Param({"1", "2"})
    public int threads;

    /** See {@link BenchModels}. */
    @Param({BenchModels.DEFAULT, BenchModels.WIDE})
    public String model;

    PinnRuntime runtime;
    OptionBatch batch;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = PinnRuntime.builder().threads(threads).model(model, BenchModels.file(model)).build();
        double[] spot = new double[OPTIONS], expiry = new double[OPTIONS], rate = new double[OPTIONS], vol = new double[OPTIONS];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < OPTIONS; i++) {
            spot[i] = 100 * (0.6 + 1.3 * random.nextDouble());
            expiry[i] = 0.05 + 1.9 * random.nextDouble();
            rate[i] = 0.1 * random.nextDouble();
            vol[i] = 0.06 + 0.7 * random.nextDouble();
        }
        batch = OptionBatch.builder().spot(spot).strike(100).expiry(expiry).rate(rate).vol(vol).type(OptionType.CALL).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
    }

    @Benchmark
    @OperationsPerInvocation(OPTIONS)
    public void priceOnly(Blackhole blackhole) {
        PricedBatch priced = runtime.price(batch, Outputs.PRICE);
        blackhole.consume(priced.price(OPTIONS - 1));
    }

    @Benchmark
    @OperationsPerInvocation(OPTIONS)
    public void priceAndGreeks(Blackhole blackhole) {
        PricedBatch priced = runtime.price(batch, Outputs.PRICE_AND_GREEKS);
        blackhole.consume(priced.price(OPTIONS - 1));
    }
}
