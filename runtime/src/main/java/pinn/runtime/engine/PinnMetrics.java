package pinn.runtime.engine;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import pinn.kernels.NativeMemory;

/**
 * The runtime's Prometheus metrics, registered in the registry the application chooses (the
 * service's own, or {@link PrometheusRegistry#defaultRegistry}). Names and labels:
 *
 * <ul>
 *   <li>{@code pinn_options_priced_total{engine}}: results produced, by engine;
 *   <li>{@code pinn_fallbacks_total{reason}}: results that fell back, by {@link FallbackReason};
 *   <li>{@code pinn_self_check_rejections_total}: network results replaced after failing the self-check;
 *   <li>{@code pinn_engine_failures_total{engine}}: engine failures (each re-priced by the next engine);
 *   <li>{@code pinn_model_cache_hits_total}, {@code _misses_total}, {@code _loads_total},
 *       {@code _load_failures_total}, {@code _evictions_total}, and the gauge {@code pinn_models_cached};
 *   <li>{@code pinn_native_bytes}: native memory held by the library's arenas;
 *   <li>{@code pinn_gpu_available}: 1 when the CUDA engine leads the chain, else 0, and
 *       {@code pinn_gpu_info{reason}} (always 1) with why not: the probe's reason ({@code none},
 *       {@code no-driver}, …), or {@code device-failed} once a GPU failed after start;
 *   <li>{@code pinn_training_duration_seconds}: histogram of model trainings.
 * </ul>
 *
 * Counters are pre-resolved per label value, so recording costs an atomic add.
 */
public final class PinnMetrics {

    private final Map<Engine, CounterDataPoint> priced = new EnumMap<>(Engine.class);
    private final Map<Engine, CounterDataPoint> engineFailures = new EnumMap<>(Engine.class);
    private final Map<FallbackReason, CounterDataPoint> fallbacks = new EnumMap<>(FallbackReason.class);
    private final Counter selfCheckRejections;
    final Counter cacheHits, cacheMisses, cacheLoads, cacheLoadFailures, cacheEvictions;
    private final Histogram trainingDuration;

    /**
     * Registers the metrics in {@code registry}.
     *
     * @param modelsCached reads how many models the cache holds
     * @param gpuReason reads why the GPU engine does not lead the chain, as a label: the probe's
     *                  reason, {@code device-failed} once a GPU failed after start, {@code none}
     *                  while it leads
     */
    PinnMetrics(PrometheusRegistry registry, DoubleSupplier modelsCached, Supplier<String> gpuReason) {
        Counter pricedCounter = counter(registry, "pinn_options_priced", "Options priced, by the engine that produced the result", "engine");
        Counter failureCounter = counter(registry, "pinn_engine_failures", "Engine failures; the next engine of the chain re-priced the work", "engine");
        for (Engine engine : Engine.values()) {
            priced.put(engine, pricedCounter.labelValues(engine.label()));
            engineFailures.put(engine, failureCounter.labelValues(engine.label()));
        }
        Counter fallbackCounter = counter(registry, "pinn_fallbacks", "Results not produced by the first engine of the chain, by reason", "reason");
        for (FallbackReason reason : FallbackReason.values()) {
            if (reason != FallbackReason.NONE) fallbacks.put(reason, fallbackCounter.labelValues(reason.label()));
        }
        selfCheckRejections = counter(registry, "pinn_self_check_rejections", "Network results that failed the PDE self-check and were re-priced analytically");
        cacheHits = counter(registry, "pinn_model_cache_hits", "Model cache lookups that found a ready model");
        cacheMisses = counter(registry, "pinn_model_cache_misses", "Model cache lookups that found no ready model");
        cacheLoads = counter(registry, "pinn_model_cache_loads", "Model loads (or trainings) the cache started");
        cacheLoadFailures = counter(registry, "pinn_model_cache_load_failures", "Model loads that failed");
        cacheEvictions = counter(registry, "pinn_model_cache_evictions", "Models evicted from the cache to respect its bound");
        GaugeWithCallback.builder().name("pinn_models_cached").help("Models held by the model cache")
                .callback(cb -> cb.call(modelsCached.getAsDouble())).register(registry);
        GaugeWithCallback.builder().name("pinn_native_bytes").help("Native memory held by the library's arenas").unit(Unit.BYTES)
                .callback(cb -> cb.call(NativeMemory.bytesHeld())).register(registry);
        // Read at each scrape: a GPU found at start can fail later, and then the CPU engine leads.
        GaugeWithCallback.builder().name("pinn_gpu_available").help("1 when the CUDA engine leads the fallback chain, else 0")
                .callback(cb -> cb.call(gpuReason.get().equals("none") ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("pinn_gpu_info").help("Why the CUDA engine is not used (reason none when it is); always 1")
                .labelNames("reason").callback(cb -> cb.call(1, gpuReason.get())).register(registry);
        trainingDuration = Histogram.builder().name("pinn_training_duration_seconds").help("Wall time of model trainings")
                .classicOnly().classicUpperBounds(1, 10, 60, 300, 900, 1800, 3600).register(registry);
    }

    private static Counter counter(PrometheusRegistry registry, String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    void priced(Engine engine, long options) {
        priced.get(engine).inc(options);
    }

    void fallback(FallbackReason reason, long options) {
        fallbacks.get(reason).inc(options);
    }

    void selfCheckRejected() {
        selfCheckRejections.inc();
    }

    void engineFailed(Engine engine) {
        engineFailures.get(engine).inc();
    }

    /** Records one training's wall time, in seconds. */
    public void trainingFinished(double seconds) {
        trainingDuration.observe(seconds);
    }
}
