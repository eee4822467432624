package pinn.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import pinn.kernels.cuda.EmulatedCuda;
import pinn.runtime.DefaultModel;
import pinn.runtime.OptionType;

/**
 * The runtime with its GPU engine on the emulated CUDA driver: the real {@code CudaBackend},
 * cuBLAS binding and kernel launches under the pricing engine, only the device is Java. Batches
 * run on pinn-cuda and agree with the CPU engine; a device fault in the middle of a batch's GPU
 * work is re-priced on the CPU with nothing lost; and since a faulted CUDA backend refuses every
 * later call, the GPU is then lost for good: the CPU engine leads (its results are no fallbacks),
 * pinn_gpu_available drops to 0 with pinn_gpu_info{reason="device-failed"}, the engine report
 * says why, and models still load.
 */
class GpuEngineOnEmulatedCudaTest {

    private static final int OPTIONS = 2000;

    private static OptionBatch batch() {
        double[] spot = new double[OPTIONS], expiry = new double[OPTIONS], vol = new double[OPTIONS];
        for (int i = 0; i < OPTIONS; i++) {
            spot[i] = 60 + 120.0 * i / OPTIONS;
            expiry[i] = 0.1 + 1.8 * ((i * 7) % OPTIONS) / OPTIONS;
            vol[i] = 0.1 + 0.6 * ((i * 13) % OPTIONS) / OPTIONS;
        }
        return OptionBatch.builder().spot(spot).strike(100).expiry(expiry).rate(0.03).vol(vol).type(OptionType.PUT).build();
    }

    private static double gauge(PrometheusRegistry registry, String name) {
        return ((GaugeSnapshot) snapshot(registry, name)).getDataPoints().getFirst().getValue();
    }

    private static String gpuReason(PrometheusRegistry registry) {
        return ((GaugeSnapshot) snapshot(registry, "pinn_gpu_info")).getDataPoints().getFirst().getLabels().get("reason");
    }

    private static double gpuFailures(PrometheusRegistry registry) {
        for (CounterSnapshot.CounterDataPointSnapshot point : ((CounterSnapshot) snapshot(registry, "pinn_engine_failures")).getDataPoints()) {
            if (point.getLabels().get("engine").equals("pinn-cuda")) return point.getValue();
        }
        return 0;
    }

    private static MetricSnapshot snapshot(PrometheusRegistry registry, String name) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot.getMetadata().getPrometheusName().equals(name)) return snapshot;
        }
        throw new AssertionError("no metric " + name);
    }

    /** Every value of every output within {@code relative} of the CPU's, relative to that output's largest value. */
    private static void assertAgrees(PricedBatch cpu, PricedBatch other, double relative, String what) {
        double[][] expected = cpu.valuations().toArrays(), actual = other.valuations().toArrays();
        for (int output = 0; output < expected.length; output++) {
            double scale = 0, worst = 0;
            for (int i = 0; i < OPTIONS; i++) {
                scale = Math.max(scale, Math.abs(expected[output][i]));
                worst = Math.max(worst, Math.abs(actual[output][i] - expected[output][i]));
            }
            assertTrue(worst <= relative * scale, what + ", output " + output + ": differs by " + worst + " at scale " + scale);
        }
    }

    @Test
    void batchesRunOnTheGpuAndAFaultMidBatchHandsTheWorkAndThenTheLeadToTheCpu() throws IOException {
        PricedBatch onCpu;
        try (PinnRuntime cpuOnly = PinnRuntime.builder().gpu(false).threads(2).build()) {
            onCpu = cpuOnly.price(batch());
        }
        EmulatedCuda cuda = new EmulatedCuda();
        PrometheusRegistry registry = new PrometheusRegistry();
        try (PinnRuntime runtime = PinnRuntime.builder().threads(2).metricsRegistry(registry).cudaLibraries(cuda).build()) {
            assertTrue(runtime.engineReport().contains("CUDA backend ready"), runtime.engineReport());
            assertEquals(1, gauge(registry, "pinn_gpu_available"));
            assertEquals("none", gpuReason(registry));

            PricedBatch onGpu = runtime.price(batch());
            assertEquals(OPTIONS, onGpu.count(Engine.PINN_CUDA), "a batch inside the domain runs on the GPU engine");
            assertEquals(FallbackReason.NONE, onGpu.fallback(0));
            assertAgrees(onCpu, onGpu, 1e-12, "GPU against CPU");

            cuda.faultingLaunch(7); // a few layers into the next batch's forward pass
            PricedBatch faulted = runtime.price(batch());
            assertEquals(OPTIONS, faulted.count(Engine.PINN_CPU), "the faulted GPU work is re-priced on the CPU, nothing lost");
            for (int i = 0; i < OPTIONS; i++) assertEquals(FallbackReason.ENGINE_FAILED, faulted.fallback(i), "option " + i);
            assertEquals(1, faulted.engineFailures().size(), faulted.engineFailures().toString());
            assertTrue(faulted.engineFailures().getFirst().startsWith("pinn-cuda failed on options 0-" + (OPTIONS - 1) + ": "),
                    faulted.engineFailures().getFirst());
            assertAgrees(onCpu, faulted, 0, "re-priced on the CPU");

            assertEquals(0, gauge(registry, "pinn_gpu_available"), "the GPU no longer leads");
            assertEquals(PinnRuntime.GPU_LOST, gpuReason(registry));
            assertTrue(runtime.engineReport().contains("CUDA backend lost (device-failed): "), runtime.engineReport());

            long launches = cuda.launches();
            PricedBatch after = runtime.price(batch());
            assertEquals(OPTIONS, after.count(Engine.PINN_CPU));
            for (int i = 0; i < OPTIONS; i++) assertEquals(FallbackReason.NONE, after.fallback(i), "the CPU engine leads now: option " + i);
            assertTrue(after.engineFailures().isEmpty(), "the lost GPU is not tried again: " + after.engineFailures());
            assertEquals(1, gpuFailures(registry), "one engine failure in all");
            assertEquals(launches, cuda.launches(), "nothing more was launched on the GPU");

            runtime.swapModel("again", DefaultModel.file());
            assertEquals(OPTIONS, runtime.price(batch()).count(Engine.PINN_CPU), "a model opened after the loss prices on the CPU");
        }
    }
}
