package pinn.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pinn.runtime.BlackScholes;
import pinn.runtime.DefaultModel;
import pinn.runtime.OptionType;
import pinn.runtime.Valuation;

/**
 * Bad requests against a real server on an ephemeral port, through a real HTTP client: each is
 * answered with the right status and a JSON error that names the field (and the array index where
 * one element is at fault) and the reason, and never with a stack trace or an internal class
 * name. Afterwards the server still answers valid requests correctly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadRequestTest {

    private static final String TOKEN = "test-admin-token-5f2a9c";

    @TempDir
    static Path models;

    private static PricingServer server, adminDisabled;
    private static ServiceClient client, adminDisabledClient;

    @BeforeAll
    static void start() throws IOException {
        Files.write(models.resolve("default-copy.pinn"), DefaultModel.file().toBytes());
        Files.writeString(models.resolve("garbage.pinn"), "this is not a model file");
        Path outside = Files.createTempFile("outside", ".pinn");
        outside.toFile().deleteOnExit();
        Files.write(outside, DefaultModel.file().toBytes());
        Files.createSymbolicLink(models.resolve("link.pinn"), outside);
        server = PricingServer.start(ServiceConfig.loopback(0).withAdminToken(TOKEN).withModelsDirectory(models));
        adminDisabled = PricingServer.start(ServiceConfig.loopback(0).withModelsDirectory(models));
        client = new ServiceClient(server.port());
        adminDisabledClient = new ServiceClient(adminDisabled.port());
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) server.close();
        if (adminDisabled != null) adminDisabled.close();
        Files.deleteIfExists(models.resolve("link.pinn"));   // before JUnit cleans up, which warns about links leading out
    }

    /** One bad request and the answer it must get. */
    record Case(String name, String method, String path, BodyPublisher body, List<String> headers, boolean toAdminDisabledServer,
                int status, String field, Integer index, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---- the cases ----

    private static final String AUTH = "Bearer " + TOKEN;

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // Malformed bodies.
        c.add(price("empty body", "", 400, "body", null, "is empty"));
        c.add(price("truncated JSON", "{\"spot\": 105,", 400, "body", null, "is not valid JSON"));
        c.add(price("an array instead of an object", "[1, 2]", 400, "body", null, "must be a JSON object, was an array"));
        c.add(price("a string instead of an object", "\"call\"", 400, "body", null, "must be a JSON object, was the string"));
        c.add(price("null instead of an object", "null", 400, "body", null, "must be a JSON object, was null"));
        c.add(price("content after the object", option() + " {}", 400, "body", null, "more content after the JSON object"));
        c.add(price("single quotes", "{'spot': 105}", 400, "body", null, "is not valid JSON"));
        c.add(price("a comment", "{\"spot\": 105 /* S */}", 400, "body", null, "is not valid JSON"));
        c.add(price("a trailing comma", "{\"spot\": 105,}", 400, "body", null, "is not valid JSON"));
        c.add(price("a leading zero", option("spot", "0105"), 400, "body", null, "Leading zeroes"));
        c.add(new Case("invalid UTF-8", "POST", "/v1/price", BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'}),
                List.of(), false, 400, "body", null, "is not valid JSON"));
        // Fields: unknown, repeated, missing.
        c.add(price("an unknown field", option().replace("}", ", \"sigma\": 0.2}"), 400, "sigma", null, "unknown fields are refused"));
        c.add(price("a repeated field", option().replace("}", ", \"spot\": 106}"), 400, "spot", null, "appears more than once"));
        c.add(price("spot missing", without("spot"), 400, "spot", null, "is missing"));
        c.add(price("type missing", without("type"), 400, "type", null, "is missing"));
        // Wrong types and non-numbers in numeric fields.
        c.add(price("spot as a string", option("spot", "\"105\""), 400, "spot", null, "must be a JSON number or an array of numbers, was the string \"105\""));
        c.add(price("spot as a boolean", option("spot", "true"), 400, "spot", null, "was true"));
        c.add(price("spot null", option("spot", "null"), 400, "spot", null, "was null"));
        c.add(price("spot an object", option("spot", "{\"value\": 105}"), 400, "spot", null, "was an object"));
        c.add(price("spot NaN", option("spot", "NaN"), 400, "spot", null, "JSON has no NaN or Infinity"));
        c.add(price("vol Infinity", option("vol", "Infinity"), 400, "vol", null, "JSON has no NaN or Infinity"));
        c.add(price("rate -Infinity", option("rate", "-Infinity"), 400, "rate", null, "JSON has no NaN or Infinity"));
        c.add(price("expiry beyond the double range", option("expiry", "1e400"), 400, "expiry", null, "beyond the range of a double"));
        c.add(price("a string in a spot array", option("spot", "[105, \"x\"]"), 400, "spot", 1, "must be a JSON number, was the string \"x\""));
        c.add(price("NaN in a spot array", option("spot", "[105, 106, NaN]"), 400, "spot", 2, "JSON has no NaN or Infinity"));
        c.add(price("a nested array", option("spot", "[[105]]"), 400, "spot", 0, "must be a JSON number, was an array"));
        // Values out of range.
        c.add(price("negative spot", option("spot", "-1"), 400, "spot", null, "must be finite and > 0, was -1.0"));
        c.add(price("zero strike", option("strike", "0"), 400, "strike", null, "must be finite and > 0, was 0.0"));
        c.add(price("zero expiry", option("expiry", "0"), 400, "expiry", null, "must be finite and > 0, was 0.0"));
        c.add(price("negative vol", option("vol", "-0.2"), 400, "vol", null, "must be finite and > 0, was -0.2"));
        c.add(price("negative zero spot", option("spot", "-0.0"), 400, "spot", null, "must be finite and > 0, was -0.0"));
        c.add(price("a negative spot in an array", option("spot", "[100, 101, 102, -5]"), 400, "spot", 3, "must be finite and > 0, was -5.0"));
        c.add(price("a zero vol in an array", option("vol", "[0.2, 0]"), 400, "vol", 1, "must be finite and > 0, was 0.0"));
        c.add(price("rate times expiry overflowing the discount", option("rate", "1000").replace("\"expiry\": 0.5", "\"expiry\": 1"), 400,
                "rate", null, "times expiry must lie within"));
        // Arrays and batches.
        c.add(price("arrays of unequal lengths", option("spot", "[100, 101, 102]").replace("\"vol\": 0.2", "\"vol\": [0.2, 0.3]"), 400, "vol", null,
                "has 2 values but spot has 3"));
        c.add(price("an empty array", option("spot", "[]"), 400, "batch", null, "is empty"));
        c.add(price("a batch over the limit", option("spot", numbers(100_001)), 413, "spot", null, "a request prices at most 100000 options"));
        c.add(price("a type array over the limit", option("type", types(100_001)), 413, "type", null, "a request prices at most 100000 options"));
        // The type field.
        c.add(price("an unknown option type", option("type", "\"straddle\""), 400, "type", null, "must be \"call\" or \"put\", was \"straddle\""));
        c.add(price("a number as the type", option("type", "1"), 400, "type", null, "was the number 1"));
        c.add(price("a bad type in an array", option("type", "[\"call\", \"bogus\"]"), 400, "type", 1, "was \"bogus\""));
        c.add(price("null in a type array", option("type", "[\"call\", null]"), 400, "type", 1, "was null"));
        // Bodies over 1 MiB.
        byte[] large = (option().replace("}", " ".repeat(1 << 20) + "}")).getBytes(StandardCharsets.UTF_8);
        c.add(new Case("a body over 1 MiB with Content-Length", "POST", "/v1/price", BodyPublishers.ofByteArray(large), List.of(), false, 413,
                "body", null, "is larger than the limit of 1048576 bytes"));
        c.add(new Case("a chunked body over 1 MiB", "POST", "/v1/price", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large)),
                List.of(), false, 413, "body", null, "is larger than the limit of 1048576 bytes"));
        // Methods and paths.
        c.add(request("GET on /v1/price", "GET", "/v1/price", 405, "method", "GET is not allowed on /v1/price; allowed: POST"));
        c.add(request("PUT on /v1/price", "PUT", "/v1/price", 405, "method", "allowed: POST"));
        c.add(request("PATCH on /v1/price", "PATCH", "/v1/price", 405, "method", "allowed: POST"));
        c.add(request("DELETE on /v1/models", "DELETE", "/v1/models", 405, "method", "allowed: GET, POST"));
        c.add(request("POST on /healthz", "POST", "/healthz", 405, "method", "allowed: GET"));
        c.add(request("POST on /metrics", "POST", "/metrics", 405, "method", "allowed: GET"));
        c.add(request("GET on /v1/cache", "GET", "/v1/cache", 405, "method", "allowed: DELETE"));
        c.add(request("an unknown path", "GET", "/v1/unknown", 404, "path", "names no endpoint: /v1/unknown"));
        c.add(request("the root path", "GET", "/", 404, "path", "names no endpoint"));
        c.add(request("a trailing slash", "POST", "/v1/price/", 404, "path", "names no endpoint"));
        c.add(request("another API version", "POST", "/v2/price", 404, "path", "names no endpoint"));
        // Admin: tokens.
        c.add(admin("load without a token", "POST", "/v1/models", "{\"name\": \"default-copy.pinn\"}", null, 401, "authorization", null, "is missing"));
        c.add(admin("load with a wrong token", "POST", "/v1/models", "{\"name\": \"default-copy.pinn\"}", "Bearer wrong", 401, "authorization",
                null, "does not hold the admin token"));
        c.add(admin("clear with a wrong token", "DELETE", "/v1/cache", "", "Bearer " + TOKEN + "x", 401, "authorization", null,
                "does not hold the admin token"));
        c.add(admin("clear with a token prefix", "DELETE", "/v1/cache", "", "Bearer " + TOKEN.substring(0, TOKEN.length() - 1), 401,
                "authorization", null, "does not hold the admin token"));
        c.add(admin("clear with the Basic scheme", "DELETE", "/v1/cache", "", "Basic " + TOKEN, 401, "authorization", null, "Bearer scheme"));
        c.add(new Case("load while admin is disabled", "POST", "/v1/models", BodyPublishers.ofString("{\"name\": \"default-copy.pinn\"}"),
                List.of("Authorization", AUTH), true, 403, "authorization", null, "admin endpoints are disabled"));
        c.add(new Case("clear while admin is disabled", "DELETE", "/v1/cache", BodyPublishers.noBody(), List.of("Authorization", AUTH), true, 403,
                "authorization", null, "admin endpoints are disabled"));
        // Admin: model names (with the right token).
        c.add(load("path traversal", "\"../secret.pinn\"", 400, "without path separators"));
        c.add(load("an absolute path", "\"/etc/passwd\"", 400, "without path separators"));
        c.add(load("a subdirectory", "\"sub/model.pinn\"", 400, "without path separators"));
        c.add(load("a Windows separator", "\"..\\\\model.pinn\"", 400, "without path separators"));
        c.add(load("dot-dot", "\"..\"", 400, "must not contain \"..\""));
        c.add(load("a symbolic link out of the directory", "\"link.pinn\"", 400, "resolves outside the models directory"));
        c.add(load("an empty name", "\"\"", 400, "must not be empty"));
        c.add(load("a number as the name", "42", 400, "must be a string"));
        c.add(load("a missing file", "\"absent.pinn\"", 404, "names no model file"));
        c.add(load("a file that is not a model", "\"garbage.pinn\"", 422, "not a model file"));
        c.add(admin("load without a name", "POST", "/v1/models", "{}", AUTH, 400, "name", null, "is missing"));
        c.add(admin("load with an unknown field", "POST", "/v1/models", "{\"name\": \"default-copy.pinn\", \"path\": \"/etc\"}", AUTH, 400,
                "path", null, "unknown fields are refused"));
        return c;
    }

    private static Case price(String name, String json, int status, String field, Integer index, String reason) {
        return new Case(name, "POST", "/v1/price", BodyPublishers.ofString(json), List.of(), false, status, field, index, reason);
    }

    private static Case request(String name, String method, String path, int status, String field, String reason) {
        return new Case(name, method, path, BodyPublishers.noBody(), List.of(), false, status, field, null, reason);
    }

    private static Case admin(String name, String method, String path, String json, String authorization, int status, String field,
                              Integer index, String reason) {
        return new Case(name, method, path, json.isEmpty() ? BodyPublishers.noBody() : BodyPublishers.ofString(json),
                authorization == null ? List.of() : List.of("Authorization", authorization), false, status, field, index, reason);
    }

    private static Case load(String name, String nameJson, int status, String reason) {
        return admin("model name: " + name, "POST", "/v1/models", "{\"name\": " + nameJson + "}", AUTH, status, "name", null, reason);
    }

    /** A valid single-option request, with {@code field} set to the raw JSON {@code value} when given. */
    private static String option(String field, String value) {
        Map<String, String> fields = validFields();
        fields.put(field, value);
        return toJson(fields);
    }

    private static String option() {
        return toJson(validFields());
    }

    private static String without(String field) {
        Map<String, String> fields = validFields();
        fields.remove(field);
        return toJson(fields);
    }

    private static Map<String, String> validFields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("spot", "105");
        fields.put("strike", "100");
        fields.put("expiry", "0.5");
        fields.put("rate", "0.03");
        fields.put("vol", "0.2");
        fields.put("type", "\"call\"");
        return fields;
    }

    private static String toJson(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
    }

    private static String numbers(int n) {
        return IntStream.range(0, n).mapToObj(i -> "100").collect(Collectors.joining(",", "[", "]"));
    }

    private static String types(int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"put\"").collect(Collectors.joining(",", "[", "]"));
    }

    // ---- the tests ----

    @Test
    @Order(0)
    void thereAreAtLeastFortyDistinctBadRequests() {
        List<Case> all = cases();
        assertTrue(all.size() >= 40, "only " + all.size() + " cases");
        assertEquals(all.size(), all.stream().map(Case::name).distinct().count(), "case names repeat");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Order(1)
    void eachBadRequestGetsAJsonErrorNamingTheFieldAndTheReason(Case c) {
        ServiceClient target = c.toAdminDisabledServer() ? adminDisabledClient : client;
        var builder = target.request(c.path()).method(c.method(), c.body());
        if (!c.headers().isEmpty()) builder.headers(c.headers().toArray(String[]::new));
        HttpResponse<String> response = target.send(builder.build());

        assertEquals(c.status(), response.statusCode(), () -> c.name() + ": " + response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""), c.name());
        JsonNode error = ServiceClient.json(response).path("error");
        assertEquals(c.field(), error.path("field").asText(null), () -> c.name() + ": " + response.body());
        if (c.index() == null) {
            assertTrue(error.path("index").isMissingNode(), () -> c.name() + ": no index expected in " + response.body());
        } else {
            assertEquals(c.index().intValue(), error.path("index").asInt(-1), () -> c.name() + ": " + response.body());
        }
        String reason = error.path("reason").asText("");
        assertTrue(reason.contains(c.reason()), () -> c.name() + ": reason \"" + reason + "\" lacks \"" + c.reason() + "\"");
        assertNothingInternal(c.name(), response.body());
        if (c.status() == 405) assertTrue(response.headers().firstValue("Allow").isPresent(), c.name() + ": no Allow header");
        if (c.status() == 401) assertTrue(response.headers().firstValue("WWW-Authenticate").isPresent(), c.name() + ": no challenge");
    }

    /** No stack trace, exception or class name, and no server path, may reach a client. */
    static void assertNothingInternal(String what, String body) {
        for (String internal : List.of("Exception", "pinn.", "java.", "jdk.", "com.fasterxml", "\tat ", "at [Source", "StreamReadFeature",
                models.toString())) {
            assertFalse(body.contains(internal), () -> what + ": the answer shows \"" + internal + "\": " + body);
        }
    }

    @Test
    @Order(2)
    void validRequestsAreStillAnsweredCorrectlyAfterwards() {
        HttpResponse<String> one = client.post("/v1/price", option());
        assertEquals(200, one.statusCode(), one.body());
        JsonNode answer = ServiceClient.json(one);
        Valuation exact = BlackScholes.value(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2);
        PricingEndpointTest.assertWithinTargets(exact, 100, answer, -1);
        assertEquals("pinn-cpu", answer.path("engine").asText());

        HttpResponse<String> batch = client.post("/v1/price", option("spot", "[90, 100, 110]").replace("\"call\"", "[\"put\", \"call\", \"put\"]"));
        assertEquals(200, batch.statusCode(), batch.body());
        JsonNode prices = ServiceClient.json(batch);
        double[] spots = {90, 100, 110};
        OptionType[] types = {OptionType.PUT, OptionType.CALL, OptionType.PUT};
        for (int i = 0; i < 3; i++) {
            PricingEndpointTest.assertWithinTargets(BlackScholes.value(types[i], spots[i], 100, 0.5, 0.03, 0.2), 100, prices, i);
        }
        assertEquals(200, client.get("/healthz").statusCode());

        // And the admin endpoints work with the right token.
        HttpResponse<String> loaded = client.post("/v1/models", "{\"name\": \"default-copy.pinn\"}", "Authorization", AUTH);
        assertEquals(200, loaded.statusCode(), loaded.body());
        assertEquals("default-copy.pinn", ServiceClient.json(loaded).path("current").path("name").asText());
        HttpResponse<String> cleared = client.send("DELETE", "/v1/cache", BodyPublishers.noBody(), "Authorization", AUTH);
        assertEquals(200, cleared.statusCode(), cleared.body());
        assertEquals(0, ServiceClient.json(cleared).path("cache").path("size").asInt(-1));
        assertEquals("default-copy.pinn", server.runtime().currentModel().name());
    }
}
