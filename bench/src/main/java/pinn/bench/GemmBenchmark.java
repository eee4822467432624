package pinn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
import pinn.kernels.VectorBackend;

/**
 * The three GEMM forms of {@link VectorBackend} at the shapes of a 64-wide PINN layer over a
 * batch of N points, in average time per call:
 *
 * <ul>
 *   <li>{@code AB}: the forward pass, (N×64)·(64×64); N = 64 is the small square 64×64×64.</li>
 *   <li>{@code AtB}: the weight gradient Xᵀ·G, X and G both N×64, a 64×64 result summed over N.</li>
 *   <li>{@code ABt}: the input gradient G·Wᵀ, (N×64)·(64×64)ᵀ.</li>
 * </ul>
 *
 * Every form does 2·N·64·64 FLOPs per call ({@link #flops(String)}); with the average time t in
 * µs, GFLOP/s = FLOPs / (t · 1000). Compare with {@link FmaPeakBenchmark} in the same run (see
 * {@link GemmReport}): absolute times drift on shared machines. The {@code /2} cases split the call
 * over two threads (the operands live in a shared arena so the workers may touch them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    /** form/N/threads. */
    @Param({"AB/64/1", "AB/4096/1", "AB/65536/1", "AB/65536/2",
            "AtB/4096/1", "AtB/65536/1", "AtB/65536/2",
            "ABt/4096/1", "ABt/65536/1", "ABt/65536/2"})
    public String shape;

    private static final int WIDTH = 64;

    private String form;
    private int rows;
    private VectorBackend backend;
    private Arena arena;
    private MemorySegment x, w, g, out;

    /** FLOPs of one call for a {@link #shape} parameter: 2·N·64·64 in every form. */
    public static double flops(String shape) {
        return 2.0 * Integer.parseInt(shape.split("/")[1]) * WIDTH * WIDTH;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("/");
        form = parts[0];
        rows = Integer.parseInt(parts[1]);
        backend = new VectorBackend(Integer.parseInt(parts[2]));
        arena = Arena.ofShared();
        x = random(arena, (long) rows * WIDTH, 1);
        g = random(arena, (long) rows * WIDTH, 2);
        w = random(arena, WIDTH * WIDTH, 3);
        out = backend.allocate(arena, (long) rows * WIDTH);
    }

    private static MemorySegment random(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(n * Double.BYTES, 64);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, random.nextDouble(-1, 1));
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }

    /** One GEMM call; the result stays in {@code out}, which the next call overwrites. */
    @Benchmark
    public MemorySegment gemm() {
        switch (form) {
            case "AB" -> backend.gemm(rows, WIDTH, WIDTH, x, w, out, false);
            case "AtB" -> backend.gemmTransA(WIDTH, WIDTH, rows, x, g, out, false);
            case "ABt" -> backend.gemmTransB(rows, WIDTH, WIDTH, g, w, out, false);
            default -> throw new IllegalArgumentException("unknown form " + form);
        }
        return out;
    }
}
