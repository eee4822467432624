package pinn.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The single-core float64 FMA peak through the Vector API: the ceiling that {@link GemmBenchmark}
 * is measured against.
 *
 * <p>One operation runs {@value #STEPS} steps of {@value #CHAINS} independent FMA chains on
 * whole vectors (8 doubles with AVX-512). Twelve chains cover the FMA latency (4 cycles) times
 * the FMA units (2 per core) with room to spare, and the accumulators stay in registers, so
 * nothing but FMA throughput limits the loop. FLOPs per operation:
 * {@code STEPS · CHAINS · lanes · 2} (see {@link #flopsPerOperation()}); with the average time
 * t in µs, GFLOP/s = FLOPs / (t · 1000).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FmaPeakBenchmark {

    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int STEPS = 10_000;
    static final int CHAINS = 12;

    /** Multiplier and addend: fields, so the JIT cannot fold the chains into constants. */
    public double x = 0.999_999_9, y = 1e-9;

    /** FLOPs of one benchmark operation (an FMA is two). */
    public static double flopsPerOperation() {
        return 2.0 * STEPS * CHAINS * SPECIES.length();
    }

    /** Returns a value that depends on every chain, so no chain is dead code. */
    @Benchmark
    public double fmaChains() {
        DoubleVector m = DoubleVector.broadcast(SPECIES, x), a = DoubleVector.broadcast(SPECIES, y);
        DoubleVector c0 = DoubleVector.broadcast(SPECIES, 1.0), c1 = c0.add(1), c2 = c0.add(2), c3 = c0.add(3);
        DoubleVector c4 = c0.add(4), c5 = c0.add(5), c6 = c0.add(6), c7 = c0.add(7);
        DoubleVector c8 = c0.add(8), c9 = c0.add(9), c10 = c0.add(10), c11 = c0.add(11);
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }
}
