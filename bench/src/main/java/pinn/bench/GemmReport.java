package pinn.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link FmaPeakBenchmark} and {@link GemmBenchmark} in one JMH run and prints, per GEMM
 * shape, form and thread count: the average time per call, GFLOP/s, and the fraction of the
 * single-core FMA peak measured in the same run (two threads can exceed 100%).
 *
 * <p>Two columns each: from the mean over the measurement iterations (JMH's score), and from the
 * best iteration. On a shared machine other processes only ever slow an iteration down, so the
 * best iteration is the better estimate of what the code can do; the mean is what a user saw.
 * Fractions compare like with like (mean with mean peak, best with best peak).
 *
 * <p>Arguments are JMH's, e.g. {@code -wi 5 -i 10} or {@code -p shape=AB/4096/1,AB/65536/1}.
 * Run it through {@code bench/gemm-report.sh}.
 */
public final class GemmReport {

    private GemmReport() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options options = new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(FmaPeakBenchmark.class.getName() + "\\.")
                .include(GemmBenchmark.class.getName() + "\\.")
                .build();
        Collection<RunResult> results = new Runner(options).run();

        double peakMean = Double.NaN, peakBest = Double.NaN;
        List<RunResult> gemms = new ArrayList<>();
        for (RunResult result : results) {
            if (result.getParams().getBenchmark().startsWith(FmaPeakBenchmark.class.getName())) {
                peakMean = gflops(FmaPeakBenchmark.flopsPerOperation(), result.getPrimaryResult().getScore());
                peakBest = gflops(FmaPeakBenchmark.flopsPerOperation(), bestMicros(result));
            } else {
                gemms.add(result);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Single-core float64 FMA peak (Vector API, %d chains): %.1f GFLOP/s mean, %.1f best iteration%n%n",
                FmaPeakBenchmark.CHAINS, peakMean, peakBest);
        System.out.printf(Locale.ROOT, "%-24s %-4s %7s %10s %8s %8s %8s %8s%n",
                "shape", "form", "threads", "µs/call", "GFLOP/s", "of peak", "best", "of peak");
        for (RunResult result : gemms) {
            String shape = result.getParams().getParam("shape");
            String[] parts = shape.split("/");
            int n = Integer.parseInt(parts[1]);
            String dims = switch (parts[0]) {
                case "AB" -> "(" + n + "×64)·(64×64)";
                case "AtB" -> "(" + n + "×64)ᵀ·(" + n + "×64)";
                case "ABt" -> "(" + n + "×64)·(64×64)ᵀ";
                default -> shape;
            };
            double micros = result.getPrimaryResult().getScore();
            double mean = gflops(GemmBenchmark.flops(shape), micros);
            double best = gflops(GemmBenchmark.flops(shape), bestMicros(result));
            System.out.printf(Locale.ROOT, "%-24s %-4s %7s %10.1f %8.1f %7.0f%% %8.1f %7.0f%%%n",
                    dims, parts[0], parts[2], micros, mean, 100 * mean / peakMean, best, 100 * best / peakBest);
        }
    }

    /** The shortest average time of any measurement iteration, in µs per operation. */
    private static double bestMicros(RunResult result) {
        double best = Double.POSITIVE_INFINITY;
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                best = Math.min(best, iteration.getPrimaryResult().getScore());
            }
        }
        return best;
    }

    /** GFLOP/s from FLOPs per operation and microseconds per operation. */
    private static double gflops(double flops, double micros) {
        return flops / (micros * 1000);
    }
}
