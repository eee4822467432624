package pinn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
import pinn.kernels.SinglePointKernels;
import pinn.kernels.VectorBackend;
import pinn.runtime.FeatureScaling;
import pinn.runtime.Mlp;
import pinn.runtime.PricingNetwork;

/**
 * Where the time of one price-only call goes: a trained network's pass on one jet lane, taken
 * apart, for the shipped 2 → 32×4 → 1 model and the 2 → 64×4 → 1 one it replaced
 * ({@link BenchModels}). Run it beside {@code EngineLatencyBenchmark.priceOnly} to see the whole
 * call.
 *
 * <ul>
 *   <li>{@code network}: the pass itself, as the single-option pricer runs it (affine, tanh, …).
 *   <li>{@code networkWithoutTanh}: the same products with the activations left out.
 *   <li>{@code networkInL1}: the pass with all three hidden-to-hidden products reading the first
 *       of those matrices, so the weights it streams (a third) stay in the L1 data cache between
 *       calls.
 *   <li>{@code hiddenWeightStream}: nothing but reading the three hidden-to-hidden matrices once
 *       with vector loads (96 KB for 64×64 ones, 24 KB for 32×32): for weights that do not fit in
 *       L1 and come from L2 on every call, the floor of the pass.
 * </ul>
 *
 * <pre>java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar 'SinglePointFloor|EngineLatencyBenchmark.priceOnly' -bm avgt -tu ns</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SinglePointFloorBenchmark {

    static final int POINTS = 1024;
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE;

    @Param({BenchModels.DEFAULT, BenchModels.WIDE})
    public String model;

    VectorBackend backend;
    PricingNetwork network;
    int[] sizes;
    MemorySegment[] weights, biases;
    /** The weights {@code networkInL1} reads: the first hidden-to-hidden matrix in place of the others. */
    MemorySegment[] weightsInL1;
    Arena arena;
    MemorySegment activation, preActivation;
    /** The network's two features at 1024 random options of the domain (as in EngineLatencyBenchmark). */
    double[] feature0, feature1;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new VectorBackend(1);
        network = PricingNetwork.fromModelFile(backend, BenchModels.file(model));
        Mlp mlp = network.mlp();
        sizes = mlp.sizes();
        int layers = mlp.layers();
        weights = new MemorySegment[layers];
        biases = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            weights[l] = mlp.weights().get(l).segment();
            biases[l] = mlp.biases().get(l).segment();
        }
        weightsInL1 = weights.clone();
        for (int l = 2; l < layers - 1; l++) weightsInL1[l] = weights[1];
        arena = Arena.ofConfined();
        int widest = Arrays.stream(sizes).max().orElseThrow();
        activation = arena.allocate(8L * widest, 64);
        preActivation = arena.allocate(8L * widest, 64);

        FeatureScaling scaling = network.scaling();
        feature0 = new double[POINTS];
        feature1 = new double[POINTS];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < POINTS; i++) {
            double moneyness = 0.6 + 1.3 * random.nextDouble(), expiry = 0.05 + 1.9 * random.nextDouble();
            double rate = 0.1 * random.nextDouble(), vol = 0.06 + 0.7 * random.nextDouble();
            // The transform of SimilarityTransform.Point, values only.
            double totalVol = vol * Math.sqrt(expiry);
            double z = (Math.log(moneyness) + rate * expiry) / totalVol;
            feature0[i] = Math.tanh(z / scaling.zScale());
            feature1[i] = (totalVol - scaling.wShift()) / scaling.wScale();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        network.close();
        backend.close();
    }

    @Benchmark
    public double network() {
        return pass(weights, true);
    }

    @Benchmark
    public double networkWithoutTanh() {
        return pass(weights, false);
    }

    @Benchmark
    public double networkInL1() {
        return pass(weightsInL1, true);
    }

    @Benchmark
    public double hiddenWeightStream() {
        ByteOrder order = ByteOrder.nativeOrder();
        DoubleVector s0 = DoubleVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int step = SPECIES.vectorByteSize();
        for (int l = 1; l < weights.length - 1; l++) {
            MemorySegment w = weights[l];
            for (long o = 0; o + 4L * step <= w.byteSize(); o += 4L * step) {
                s0 = s0.add(DoubleVector.fromMemorySegment(SPECIES, w, o, order));
                s1 = s1.add(DoubleVector.fromMemorySegment(SPECIES, w, o + step, order));
                s2 = s2.add(DoubleVector.fromMemorySegment(SPECIES, w, o + 2L * step, order));
                s3 = s3.add(DoubleVector.fromMemorySegment(SPECIES, w, o + 3L * step, order));
            }
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }

    /** One values-only pass on the next point; without {@code tanh} each product feeds the next directly. */
    private double pass(MemorySegment[] layerWeights, boolean tanh) {
        int i = next++ & (POINTS - 1);
        MemorySegment x = activation, a = preActivation;
        x.setAtIndex(DOUBLE, 0, feature0[i]);
        x.setAtIndex(DOUBLE, 1, feature1[i]);
        int layers = sizes.length - 1;
        for (int l = 0; l < layers; l++) {
            SinglePointKernels.affine(x, 1, sizes[l], layerWeights[l], biases[l], sizes[l + 1], a);
            if (l + 1 < layers) {
                if (tanh) {
                    SinglePointKernels.tanhJet(a, sizes[l + 1], 0, false, x);
                } else {
                    MemorySegment swap = x;
                    x = a;
                    a = swap;
                }
            }
        }
        return a.getAtIndex(DOUBLE, 0);
    }
}
