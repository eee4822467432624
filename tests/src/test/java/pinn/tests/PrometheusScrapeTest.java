package pinn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pinn.runtime.DefaultModel;
import pinn.runtime.OptionType;
import pinn.runtime.engine.ModelSpec;
import pinn.runtime.engine.OptionBatch;
import pinn.runtime.engine.Outputs;
import pinn.runtime.engine.PricedBatch;
import pinn.runtime.service.PricingServer;
import pinn.runtime.service.ServiceConfig;

/**
 * A real Prometheus scrapes the real service: the pricing server on an ephemeral loopback port,
 * Prometheus (the {@code prometheus} binary; skipped with the reason where it is not installed)
 * on another, in a temporary directory, scraping every second, with the alert rules of
 * deploy/prometheus/alerts.yml loaded. After known traffic, Prometheus's HTTP API must report:
 *
 * <ul>
 *   <li>the request counter: exactly the 30 pricing requests sent (25 answered 200, 5 answered 400);
 *   <li>the model-cache hit ratio: 9 hits of 10 lookups = 0.9 (one miss starts the load, nine
 *       hits after it is ready). The HTTP API prices on the current model, so the cache is driven
 *       through the server's runtime, as an application embedding it would;
 *   <li>the target up, the 7 alert rules loaded and healthy (evaluated without error), and every
 *       expression of the Grafana dashboard accepted by Prometheus's query engine.
 * </ul>
 */
class PrometheusScrapeTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void prometheusScrapesTheRequestCounterAndTheCacheHitRatio(@TempDir Path dir) throws Exception {
        Optional<Path> prometheus = AlertRulesTest.onPath("prometheus");
        assumeTrue(prometheus.isPresent(), "the prometheus binary is not on the PATH: install Prometheus "
                + "(Debian: apt-get install prometheus; .ci/run does) for the scrape test");

        // The model the cache will load, under the file name its spec maps to.
        ModelSpec spec = new ModelSpec(DefaultModel.file().domain(), DefaultModel.file().architecture().hiddenWidths(), 6000, 1);
        Path models = Files.createDirectories(dir.resolve("models"));
        DefaultModel.file().write(models.resolve(spec.fileName()));

        try (PricingServer server = PricingServer.start(ServiceConfig.loopback(0).withModelsDirectory(models))) {
            String service = "http://127.0.0.1:" + server.port();

            // Traffic: 20 single options and 5 batches (200), 5 refusals (400), and a health probe.
            for (int i = 0; i < 20; i++) {
                assertEquals(200, post(service + "/v1/price", "{\"spot\": " + (90 + i) + ", \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, "
                        + "\"vol\": 0.2, \"type\": \"call\"}").statusCode());
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(200, post(service + "/v1/price", "{\"spot\": [90, 100, 110], \"strike\": 100, \"expiry\": 1, \"rate\": 0.02, "
                        + "\"vol\": [0.1, 0.2, 0.3], \"type\": \"put\"}").statusCode());
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(400, post(service + "/v1/price", "{\"spot\": -1, \"strike\": 100, \"expiry\": 1, \"rate\": 0.02, \"vol\": 0.2, "
                        + "\"type\": \"put\"}").statusCode());
            }
            assertEquals(200, get(service + "/healthz").statusCode());

            // The model cache: one miss (which starts the load), then nine hits.
            OptionBatch book = OptionBatch.builder().spot(new double[] {95, 105}).strike(100).expiry(0.5).rate(0.03).vol(0.2)
                    .type(OptionType.CALL).build();
            server.runtime().price(spec, book, Outputs.PRICE);
            server.runtime().preload(spec).get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 9; i++) {
                PricedBatch priced = server.runtime().price(spec, book, Outputs.PRICE);
                assertEquals(2, priced.size());
            }
            assertEquals(9, server.runtime().cacheStatistics().hits());
            assertEquals(1, server.runtime().cacheStatistics().misses());

            int port = freeLoopbackPort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - %s
                    scrape_configs:
                      - job_name: pinn
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(AlertRulesTest.ALERTS, server.port()));
            Path log = dir.resolve("prometheus.log");
            Process process = new ProcessBuilder(prometheus.get().toString(), "--config.file=" + config,
                    "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.path=" + dir.resolve("data"),
                    "--storage.tsdb.retention.time=1h", "--log.level=warn")
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String api = "http://127.0.0.1:" + port;
                awaitReady(api, process, log);
                awaitValue(api, "sum(pinn_http_requests_total{job=\"pinn\", endpoint=\"/v1/price\"})", 30, process, log);
                awaitValue(api, "sum(pinn_http_requests_total{job=\"pinn\", endpoint=\"/v1/price\", status=\"200\"})", 25, process, log);
                awaitValue(api, "sum(pinn_http_requests_total{job=\"pinn\", endpoint=\"/v1/price\", status=\"400\"})", 5, process, log);
                awaitValue(api, "sum(pinn_model_cache_hits_total{job=\"pinn\"}) / (sum(pinn_model_cache_hits_total{job=\"pinn\"}) "
                        + "+ sum(pinn_model_cache_misses_total{job=\"pinn\"}))", 0.9, process, log);
                awaitValue(api, "up{job=\"pinn\"}", 1, process, log);
                // 20 + 15 options by the network; the 5 refusals priced nothing; 2 × 9 cache hits (price only) + 2 by the formula on the miss.
                awaitValue(api, "sum(pinn_options_priced_total{job=\"pinn\", engine=\"pinn-cpu\"})", 53, process, log);

                assertRulesLoadedAndHealthy(api, process, log);
                for (String expression : AlertRulesTest.dashboardExpressions()) {
                    String query = expression.replace("$__rate_interval", "1m").replace("$job", "pinn").replace("$instance", ".*");
                    JsonNode answer = query(api, query);
                    assertEquals("success", answer.path("status").asText(), "the dashboard's query " + query + " failed: " + answer);
                }
            } finally {
                process.destroy();   // SIGTERM: Prometheus shuts down cleanly
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static void assertRulesLoadedAndHealthy(String api, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            JsonNode rules = JSON.readTree(get(api + "/api/v1/rules").body());
            List<String> healthy = new ArrayList<>();
            List<String> other = new ArrayList<>();
            for (JsonNode group : rules.path("data").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    ("ok".equals(rule.path("health").asText()) ? healthy : other).add(rule.path("name").asText() + " " + rule.path("health").asText()
                            + " " + rule.path("lastError").asText());
                }
            }
            if (healthy.size() == 7 && other.isEmpty()) return;
            last = "healthy " + healthy + ", not " + other;
            Thread.sleep(250);
        }
        throw new AssertionError("the alert rules were not all loaded and evaluated without error within " + DEADLINE + ": " + last
                + "\n" + logTail(log, process));
    }

    /** Polls an instant query until it returns one sample equal to {@code expected} (within 1e-9). */
    private static void awaitValue(String api, String promql, double expected, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("Prometheus exited with " + process.exitValue() + "\n" + logTail(log, process));
            JsonNode answer = query(api, promql);
            JsonNode result = answer.path("data").path("result");
            if (result.size() == 1) {
                double value = Double.parseDouble(result.get(0).path("value").get(1).asText());
                if (Math.abs(value - expected) <= 1e-9) return;
                last = "value " + value;
            } else {
                last = answer.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus did not report " + promql + " = " + expected + " within " + DEADLINE + "; last: " + last
                + "\n" + logTail(log, process));
    }

    private static JsonNode query(String api, String promql) throws IOException, InterruptedException {
        return JSON.readTree(get(api + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
    }

    private static void awaitReady(String api, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("Prometheus exited with " + process.exitValue() + "\n" + logTail(log, process));
            try {
                if (get(api + "/-/ready").statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Prometheus was not ready within " + DEADLINE + "\n" + logTail(log, process));
    }

    private static String logTail(Path log, Process process) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "Prometheus's log (last lines):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no Prometheus log: " + e + ")";
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
