package pinn.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;
import pinn.runtime.Valuation;
import pinn.runtime.accuracy.AccuracyTargets;

/** The endpoints answering valid requests: shapes of the JSON, values against Black-Scholes, models, health and metrics. */
class PricingEndpointTest {

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

    /**
     * The answer's price and Greeks (scalars when {@code index} is −1, else element {@code index}
     * of the arrays) agree with {@code exact} within the project's accuracy targets, per unit strike.
     */
    static void assertWithinTargets(Valuation exact, double strike, JsonNode answer, int index) {
        AccuracyTargets t = AccuracyTargets.DEFAULT;
        String where = index < 0 ? "" : "[" + index + "]";
        assertEquals(exact.price(), value(answer, "price", index), t.priceMaxAbs() * strike, "price" + where);
        assertEquals(exact.delta(), value(answer, "delta", index), t.deltaMaxAbs(), "delta" + where);
        assertEquals(exact.gamma(), value(answer, "gamma", index), t.gammaMaxAbs() / strike, "gamma" + where);
        assertEquals(exact.theta(), value(answer, "theta", index), t.thetaMaxAbs() * strike, "theta" + where);
        assertEquals(exact.vega(), value(answer, "vega", index), t.vegaMaxAbs() * strike, "vega" + where);
        assertEquals(exact.rho(), value(answer, "rho", index), t.rhoMaxAbs() * strike, "rho" + where);
    }

    private static double value(JsonNode answer, String field, int index) {
        JsonNode node = index < 0 ? answer.path(field) : answer.path(field).path(index);
        assertTrue(node.isNumber(), () -> field + " is not a number in " + answer);
        return node.asDouble();
    }

    @Test
    void anAllScalarRequestIsAnsweredWithScalars() {
        HttpResponse<String> response = client.post("/v1/price",
                "{\"spot\": 105, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode answer = ServiceClient.json(response);
        assertEquals(List.of("price", "delta", "gamma", "theta", "vega", "rho", "engine", "fallback"), fieldNames(answer));
        assertWithinTargets(BlackScholes.value(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2), 100, answer, -1);
        assertEquals("pinn-cpu", answer.path("engine").asText());
        assertEquals("none", answer.path("fallback").asText());
    }

    @Test
    void putsAndTypeNamesInAnyCase() {
        JsonNode answer = ServiceClient.json(client.post("/v1/price",
                "{\"spot\": 95, \"strike\": 100, \"expiry\": 1.5, \"rate\": 0.05, \"vol\": 0.35, \"type\": \" PUT \"}"));
        assertWithinTargets(BlackScholes.value(OptionType.PUT, 95, 100, 1.5, 0.05, 0.35), 100, answer, -1);
    }

    @Test
    void arraysAreAnsweredWithArraysInRequestOrderAndScalarsBroadcast() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 40;
        double[] spot = new double[n], vol = new double[n];
        OptionType[] type = new OptionType[n];
        for (int i = 0; i < n; i++) {
            spot[i] = 60 + 120 * random.nextDouble();
            vol[i] = 0.1 + 0.5 * random.nextDouble();
            type[i] = random.nextBoolean() ? OptionType.CALL : OptionType.PUT;
        }
        spot[7] = 400;   // S/K = 4: outside the model's domain
        String json = String.format(Locale.ROOT, "{\"spot\": %s, \"strike\": 100, \"expiry\": 0.75, \"rate\": 0.02, \"vol\": %s, \"type\": %s}",
                array(spot), array(vol), IntStream.range(0, n).mapToObj(i -> "\"" + type[i].name().toLowerCase(Locale.ROOT) + "\"")
                        .collect(Collectors.joining(",", "[", "]")));
        HttpResponse<String> response = client.post("/v1/price", json);
        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = ServiceClient.json(response);
        assertEquals(List.of("count", "price", "delta", "gamma", "theta", "vega", "rho", "engine", "fallback"), fieldNames(answer));
        assertEquals(n, answer.path("count").asInt());
        for (String field : List.of("price", "delta", "gamma", "theta", "vega", "rho", "engine", "fallback")) {
            assertEquals(n, answer.path(field).size(), field);
        }
        for (int i = 0; i < n; i++) {
            assertWithinTargets(BlackScholes.value(type[i], spot[i], 100, 0.75, 0.02, vol[i]), 100, answer, i);
            boolean outside = i == 7;
            assertEquals(outside ? "analytic" : "pinn-cpu", answer.path("engine").path(i).asText(), "engine " + i);
            assertEquals(outside ? "outside-domain" : "none", answer.path("fallback").path(i).asText(), "fallback " + i);
        }
    }

    @Test
    void aOneElementArrayIsStillAnArray() {
        JsonNode answer = ServiceClient.json(client.post("/v1/price",
                "{\"spot\": [105], \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}"));
        assertEquals(1, answer.path("count").asInt());
        assertTrue(answer.path("price").isArray());
        assertWithinTargets(BlackScholes.value(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2), 100, answer, 0);
    }

    @Test
    void aBatchAtTheLimitIsPriced() {
        int n = ServiceConfig.DEFAULT_MAX_OPTIONS;
        double[] spot = new double[n];
        for (int i = 0; i < n; i++) spot[i] = 60 + 80.0 * i / n;
        HttpResponse<String> response = client.post("/v1/price", String.format(Locale.ROOT,
                "{\"spot\": %s, \"strike\": 100, \"expiry\": 1, \"rate\": 0.03, \"vol\": 0.25, \"type\": \"call\"}", array(spot)));
        assertEquals(200, response.statusCode());
        JsonNode answer = ServiceClient.json(response);
        assertEquals(n, answer.path("count").asInt());
        for (int i = 0; i < n; i += 9973) {
            assertWithinTargets(BlackScholes.value(OptionType.CALL, spot[i], 100, 1, 0.03, 0.25), 100, answer, i);
        }
    }

    @Test
    void healthSaysOkAndNamesTheModel() {
        HttpResponse<String> response = client.get("/healthz");
        assertEquals(200, response.statusCode());
        JsonNode health = ServiceClient.json(response);
        assertEquals("ok", health.path("status").asText());
        assertEquals("default", health.path("model").asText());
    }

    @Test
    void modelsListTheCurrentModelWithItsDomainAndTraining() {
        HttpResponse<String> response = client.get("/v1/models");
        assertEquals(200, response.statusCode());
        JsonNode models = ServiceClient.json(response);
        JsonNode current = models.path("current");
        assertEquals("default", current.path("name").asText());
        assertEquals(0.5, current.path("domain").path("moneyness").path("min").asDouble());
        assertEquals(2.0, current.path("domain").path("moneyness").path("max").asDouble());
        assertTrue(current.path("layers").isArray());
        assertTrue(current.path("training").path("commandLine").asText().startsWith("./pinn train"));
        assertTrue(current.path("training").path("trainedAt").asText().endsWith("Z"));
        assertTrue(models.path("cached").isArray());
        assertEquals(0, models.path("cache").path("size").asInt(-1));
    }

    @Test
    void metricsAreInPrometheusTextFormatWithEveryPromisedSeries() {
        client.post("/v1/price", "{\"spot\": 105, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}");
        HttpResponse<String> response = client.get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String text = response.body();
        for (String series : List.of("pinn_http_requests_total{endpoint=\"/v1/price\",method=\"POST\",status=\"200\"}",
                "pinn_http_request_duration_seconds_bucket{endpoint=\"/v1/price\",le=\"0.002\"}", "pinn_http_requests_in_flight",
                "pinn_options_priced_total{engine=\"pinn-cpu\"}", "pinn_fallbacks_total{reason=\"outside-domain\"}",
                "pinn_model_cache_hits_total", "pinn_model_cache_misses_total", "pinn_model_cache_loads_total",
                "pinn_model_cache_evictions_total", "pinn_models_cached", "pinn_native_bytes", "pinn_self_check_rejections_total",
                "pinn_training_duration_seconds_count")) {
            assertTrue(text.contains(series + " "), () -> "no " + series + " in\n" + text);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.propertyStream().map(e -> e.getKey()).toList();
    }

    private static String array(double[] values) {
        return java.util.Arrays.stream(values).mapToObj(v -> Double.toString(v)).collect(Collectors.joining(",", "[", "]"));
    }
}
