package pinn.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;
import pinn.runtime.Valuation;

/**
 * 32 client threads × 1,000 requests on one server, each thread on its own keep-alive connection:
 * every answer is right (each thread asks for its own options, so a mixed-up answer would show),
 * no answer is a 5xx, and the counters scraped from /metrics (through java.net.http) add up to
 * the requests sent.
 */
class ConcurrencyTest {

    private static final int THREADS = 32, REQUESTS_PER_THREAD = 1_000;

    private static PricingServer server;
    private static ServiceClient client;

    @BeforeAll
    static void start() {
        server = PricingServer.start(ServiceConfig.loopback(0));
        client = new ServiceClient(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The option of request {@code i} of thread {@code t}: a spot and vol of its own, calls and puts alternating. */
    private record Option(OptionType type, double spot, double vol) {
        static Option of(int t, int i) {
            return new Option(i % 2 == 0 ? OptionType.CALL : OptionType.PUT, 70 + t + (i % 50) * 1.25, 0.1 + 0.01 * (i % 40));
        }

        String json() {
            return String.format(Locale.ROOT, "{\"spot\": %s, \"strike\": 100, \"expiry\": 0.8, \"rate\": 0.04, \"vol\": %s, \"type\": \"%s\"}",
                    spot, vol, type.name().toLowerCase(Locale.ROOT));
        }
    }

    @Test
    void everyAnswerIsRightAndTheMetricsAddUp() throws Exception {
        Map<String, Double> before = scrape();
        Map<Option, Valuation> exact = new ConcurrentHashMap<>();
        AtomicLong serverErrors = new AtomicLong();
        List<Future<Integer>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    int right = 0;
                    try (KeepAliveConnection connection = new KeepAliveConnection(server.port())) {
                        for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                            Option option = Option.of(thread, i);
                            KeepAliveConnection.Response response = connection.post("/v1/price", option.json());
                            if (response.status() >= 500) serverErrors.incrementAndGet();
                            assertEquals(200, response.status(), response.body());
                            JsonNode answer = ServiceClient.JSON.readTree(response.body());
                            Valuation oracle = exact.computeIfAbsent(option, o -> BlackScholes.value(o.type(), o.spot(), 100, 0.8, 0.04, o.vol()));
                            PricingEndpointTest.assertWithinTargets(oracle, 100, answer, -1);
                            assertEquals("pinn-cpu", answer.path("engine").asText());
                            right++;
                        }
                    }
                    return right;
                }));
            }
            int right = 0;
            for (Future<Integer> result : results) right += result.get();
            assertEquals(THREADS * REQUESTS_PER_THREAD, right);
        }
        assertEquals(0, serverErrors.get(), "5xx answers");

        Map<String, Double> after = scrape();
        int sent = THREADS * REQUESTS_PER_THREAD;
        String ok = "pinn_http_requests_total{endpoint=\"/v1/price\",method=\"POST\",status=\"200\"}";
        assertEquals(sent, after.getOrDefault(ok, 0.0) - before.getOrDefault(ok, 0.0), ok);
        String count = "pinn_http_request_duration_seconds_count{endpoint=\"/v1/price\"}";
        assertEquals(sent, after.get(count) - before.getOrDefault(count, 0.0), count);
        String infBucket = "pinn_http_request_duration_seconds_bucket{endpoint=\"/v1/price\",le=\"+Inf\"}";
        assertEquals(sent, after.get(infBucket) - before.getOrDefault(infBucket, 0.0), infBucket);
        String priced = "pinn_options_priced_total{engine=\"pinn-cpu\"}";
        assertEquals(sent, after.get(priced) - before.getOrDefault(priced, 0.0), priced);
        double allRequests = sum(after, "pinn_http_requests_total") - sum(before, "pinn_http_requests_total");
        assertEquals(sent + 1, allRequests, "every request counted once (the first scrape included)");
        for (Map.Entry<String, Double> series : after.entrySet()) {
            if (series.getKey().startsWith("pinn_http_requests_total") && series.getKey().contains("status=\"5")) {
                assertEquals(0.0, series.getValue(), series.getKey());
            }
        }
        assertTrue(sum(after, "pinn_fallbacks_total") == sum(before, "pinn_fallbacks_total"), "no fallbacks inside the domain");
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$", Pattern.MULTILINE);

    /** Every sample of /metrics by its name and labels. */
    static Map<String, Double> scrape() {
        HttpResponse<String> response = client.get("/metrics");
        assertEquals(200, response.statusCode());
        Map<String, Double> samples = new ConcurrentHashMap<>();
        Matcher m = SAMPLE.matcher(response.body());
        while (m.find()) samples.put(m.group(1), Double.parseDouble(m.group(2)));
        return samples;
    }

    private static double sum(Map<String, Double> samples, String name) {
        return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{")).mapToDouble(Map.Entry::getValue).sum();
    }
}
