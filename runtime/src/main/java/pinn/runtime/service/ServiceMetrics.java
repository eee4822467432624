package pinn.runtime.service;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP service's own metrics, registered beside the runtime's in the one registry that
 * {@code /metrics} exposes:
 *
 * <ul>
 *   <li>{@code pinn_http_requests_total{endpoint, method, status}}: answered requests;
 *   <li>{@code pinn_http_request_duration_seconds{endpoint}}: histogram of the time from the
 *       request's head being read to the answer being ready (before it is written to the socket);
 *   <li>{@code pinn_http_requests_in_flight}: requests being handled now: from the head read to
 *       the answer ready (or the connection lost before an answer).
 * </ul>
 *
 * {@code endpoint} is the route ({@code /v1/price}, ...) or {@code unmatched} for unknown paths,
 * and {@code method} an HTTP method or {@code OTHER}, so that clients cannot grow the label sets.
 * A request is counted before its answer is written: a client holding an answer can trust that
 * the counters include it.
 */
final class ServiceMetrics {

    /** The endpoint label of requests to unknown paths. */
    static final String UNMATCHED = "unmatched";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");
    /** From 50 µs to 10 s; the service's objective (p99 ≤ 2 ms for one option) falls between buckets 1 ms and 2.5 ms. */
    private static final double[] LATENCY_BUCKETS = {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3,
            250e-3, 500e-3, 1, 2.5, 5, 10};

    private final Counter requests;
    private final Histogram latency;
    private final ConcurrentHashMap<Key, CounterDataPoint> requestPoints = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DistributionDataPoint> latencyPoints = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    private record Key(String endpoint, String method, int status) {}

    ServiceMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("pinn_http_requests").help("HTTP requests answered, by endpoint, method and status")
                .labelNames("endpoint", "method", "status").withoutExemplars().register(registry);
        latency = Histogram.builder().name("pinn_http_request_duration_seconds").unit(Unit.SECONDS)
                .help("Time from a request's head being read to its answer being ready, by endpoint")
                .labelNames("endpoint").classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("pinn_http_requests_in_flight").help("HTTP requests being handled now")
                .callback(cb -> cb.call(inFlight.get())).register(registry);
    }

    void started() {
        inFlight.incrementAndGet();
    }

    /** A request started earlier will not be answered: its connection closed first. Not counted as answered. */
    void abandoned() {
        inFlight.decrementAndGet();
    }

    /** Counts one answered request that took {@code nanos} from its head being read. */
    void answered(String endpoint, String method, int status, long nanos) {
        inFlight.decrementAndGet();
        String m = METHODS.contains(method) ? method : "OTHER";
        requestPoints.computeIfAbsent(new Key(endpoint, m, status), k -> requests.labelValues(k.endpoint, k.method, Integer.toString(k.status)))
                .inc();
        latencyPoints.computeIfAbsent(endpoint, latency::labelValues).observe(nanos * 1e-9);
    }
}
