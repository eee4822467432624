package pinn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import pinn.runtime.service.PricingServer;
import pinn.runtime.service.ServiceConfig;

/**
 * The alerting rules and the dashboard (deploy/prometheus, deploy/grafana):
 *
 * <ul>
 *   <li>{@code promtool check rules}, {@code promtool test rules} (the synthetic series of
 *       alerts-test.yml: each alert fires when it should and stays silent when it should not) and
 *       {@code promtool check config} pass; skipped, with the reason, where promtool is not
 *       installed (Debian: {@code apt-get install prometheus}; .ci/run installs it);
 *   <li>every metric the rules and the dashboard name is one the service really exposes on
 *       {@code GET /metrics}: a renamed metric would otherwise leave an alert silent forever.
 * </ul>
 */
class AlertRulesTest {

    static final Path ROOT = repositoryRoot();
    static final Path PROMETHEUS_DIR = ROOT.resolve("deploy/prometheus");
    static final Path ALERTS = PROMETHEUS_DIR.resolve("alerts.yml");
    static final Path DASHBOARD = ROOT.resolve("deploy/grafana/pinn.json");
    private static final Pattern METRIC = Pattern.compile("\\bpinn_[a-z0-9_]+");

    /** The project's root: the nearest directory above the working directory with deploy/ and pom.xml. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("pom.xml"))) return dir;
        }
        throw new IllegalStateException("no directory with deploy/ and pom.xml above " + Path.of("").toAbsolutePath());
    }

    /** {@code name} on the PATH, if it is there. */
    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static Path promtool() {
        Optional<Path> promtool = onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not on the PATH: install Prometheus (Debian: apt-get install prometheus; .ci/run does) "
                + "to check and unit-test deploy/prometheus/alerts.yml");
        return promtool.get();
    }

    /** Runs promtool in deploy/prometheus and returns its output, failing on a non-zero exit. */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(promtool().toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(PROMETHEUS_DIR.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish in 60 s");
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    @Test
    void promtoolChecksTheRules() throws Exception {
        String output = promtool("check", "rules", "alerts.yml");
        assertTrue(output.contains("SUCCESS: 7 rules found"), output);
    }

    @Test
    void promtoolUnitTestsOfTheRulesPass() throws Exception {
        String output = promtool("test", "rules", "alerts-test.yml");
        assertTrue(output.contains("SUCCESS"), output);
    }

    @Test
    void promtoolChecksTheScrapeConfiguration() throws Exception {
        String output = promtool("check", "config", "prometheus.yml");
        assertTrue(output.contains("SUCCESS"), output);
    }

    @Test
    void everyAlertHasASummaryARunbookAndASeverity() throws IOException {
        JsonNode rules = new YAMLMapper().readTree(ALERTS.toFile()).path("groups").get(0).path("rules");
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            names.add(name);
            assertTrue(rule.path("annotations").path("summary").asText().length() > 20, name + " needs a summary");
            assertTrue(rule.path("annotations").path("runbook").asText().length() > 40, name + " needs a runbook line");
            assertTrue(Set.of("page", "ticket").contains(rule.path("labels").path("severity").asText()), name + " needs a severity");
            assertTrue(!rule.path("for").asText().isEmpty(), name + " needs a 'for' duration, so that one bad evaluation does not page");
        }
        assertEquals(new TreeSet<>(List.of("PinnHighErrorRatio", "PinnPriceLatencyP95High", "PinnModelCacheHitRatioLow",
                "PinnAnalyticFallbackRatioHigh", "PinnSelfCheckRejectionsRising", "PinnNativeMemoryGrowing", "PinnGpuBackendLost")), names);
    }

    /** The metrics the rules' expressions name. */
    static Set<String> metricsOfTheRules() throws IOException {
        Set<String> metrics = new TreeSet<>();
        for (JsonNode rule : new YAMLMapper().readTree(ALERTS.toFile()).path("groups").get(0).path("rules")) {
            metrics.addAll(metricNames(rule.path("expr").asText()));
        }
        return metrics;
    }

    /** Every PromQL expression of the dashboard's panels. */
    static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) expressions.add(target.path("expr").asText());
        }
        return expressions;
    }

    static Set<String> metricNames(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expression);
        while (m.find()) names.add(m.group());
        return names;
    }

    /** The names of the samples in a Prometheus text exposition. */
    static Set<String> exposedNames(String exposition) {
        return exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyMetricTheRulesAndTheDashboardNameIsExposedByTheService() throws Exception {
        Set<String> named = new TreeSet<>(metricsOfTheRules());
        for (String expression : dashboardExpressions()) named.addAll(metricNames(expression));
        assertTrue(named.size() >= 15, "the rules and the dashboard name only " + named);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (PricingServer server = PricingServer.start(ServiceConfig.loopback(0))) {
            String base = "http://127.0.0.1:" + server.port();
            // One answered request, so that the per-endpoint series exist.
            HttpResponse<String> priced = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/price"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"spot\": 105, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, priced.statusCode(), priced.body());
            String exposition = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Set<String> exposed = exposedNames(exposition);
            Set<String> missing = new TreeSet<>(named);
            missing.removeAll(exposed);
            assertEquals(Set.of(), missing, "named by deploy/prometheus/alerts.yml or deploy/grafana/pinn.json but not exposed by GET /metrics; exposed: "
                    + exposed);
        }
    }
}
