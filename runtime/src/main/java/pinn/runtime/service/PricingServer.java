package pinn.runtime.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import pinn.runtime.engine.InvalidInputException;
import pinn.runtime.engine.ModelInfo;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedBatch;
import pinn.runtime.engine.PricedOption;
import pinn.runtime.model.ModelFile;

/**
 * The HTTP pricing service: a {@link PinnRuntime} behind the JDK's {@link HttpServer}, one virtual
 * thread per request, JSON in and out through Jackson, and one Prometheus registry for the
 * runtime's metrics and the server's own.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>{@code POST /v1/price}</td><td>price and Greeks of one option or a batch ({@link PriceRequest}, {@link PriceResponse})</td></tr>
 *   <tr><td>{@code GET /healthz}</td><td>{@code {"status": "ok", "model": ...}}; 503 while shutting down</td></tr>
 *   <tr><td>{@code GET /v1/models}</td><td>the current model and the cached ones, with domains and training metadata</td></tr>
 *   <tr><td>{@code POST /v1/models}</td><td>admin: {@code {"name": "file.pinn"}} from the models directory becomes the current model</td></tr>
 *   <tr><td>{@code DELETE /v1/cache}</td><td>admin: empties the model cache</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text format</td></tr>
 * </table>
 *
 * Every refusal is a JSON {@link ErrorBody} naming the field and the reason; anything unexpected
 * is logged here with its stack trace and answered 500 with a reference number only. Bodies over
 * {@link ServiceConfig#maxBodyBytes()} and batches over {@link ServiceConfig#maxOptions()} are
 * answered 413, wrong methods 405 with {@code Allow}, unknown paths 404.
 *
 * <p>{@link #close()} drains: it stops accepting connections, lets requests in flight finish (up
 * to the drain timeout), then stops the handler threads and closes the runtime.
 */
public final class PricingServer implements AutoCloseable {

    static {
        // The JDK server leaves Nagle's algorithm on by default, which holds back the second write
        // of an answer (headers, then body) for a delayed ACK: tens of milliseconds per request.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final System.Logger LOG = System.getLogger(PricingServer.class.getName());
    private static final String JSON = "application/json";
    /** Bodies over the limit are read and thrown away up to this size, so the client hears the 413 rather than a reset connection. */
    private static final long DISCARD_LIMIT = 16L << 20;

    private final ServiceConfig config;
    private final PrometheusRegistry registry;
    private final PinnRuntime runtime;
    private final ServiceMetrics metrics;
    private final AdminAuth admin;
    private final ModelDirectory models;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final PrometheusTextFormatWriter metricsWriter = PrometheusTextFormatWriter.create();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicLong errorReferences = new AtomicLong();
    private final AtomicInteger handling = new AtomicInteger();

    /** Handles one endpoint and method; throws {@link ApiException} to refuse. */
    @FunctionalInterface
    private interface Handler {
        Reply handle(HttpExchange exchange) throws Exception;
    }

    /** One path and its handlers by method. */
    private record Route(String path, Map<String, Handler> methods) {
        String allow() {
            return String.join(", ", methods.keySet());
        }
    }

    /** An answer ready to be written, with a known length (never chunked). */
    private record Reply(int status, String contentType, byte[] body, List<Map.Entry<String, String>> headers) {
        static Reply json(int status, Object value) throws JsonProcessingException {
            return new Reply(status, JSON, Json.MAPPER.writeValueAsBytes(value), List.of());
        }
    }

    private PricingServer(ServiceConfig config, PrometheusRegistry registry, PinnRuntime runtime) throws IOException {
        this.config = config;
        this.registry = registry;
        this.runtime = runtime;
        this.metrics = new ServiceMetrics(registry);
        this.admin = new AdminAuth(config.adminToken());
        this.models = new ModelDirectory(config.modelsDirectory());
        route("/v1/price", Map.of("POST", this::price));
        route("/v1/models", orderedMap("GET", this::listModels, "POST", this::loadModel));
        route("/v1/cache", Map.of("DELETE", this::clearCache));
        route("/healthz", Map.of("GET", this::health));
        route("/metrics", Map.of("GET", this::scrape));
        this.server = HttpServer.create(config.address(), 1024);
        this.executor = config.handlerThreads() == 0 ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pinn-http-", 0).factory())
                : Executors.newFixedThreadPool(config.handlerThreads(), Thread.ofPlatform().name("pinn-http-", 0).daemon().factory());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on a runtime with the default model. */
    public static PricingServer start(ServiceConfig config) {
        return start(config, PinnRuntime.builder());
    }

    /**
     * Starts a server on the runtime {@code runtimeBuilder} builds, after pointing its metrics at
     * the server's registry (and, with a models directory, its model cache's loader at that
     * directory). The server owns the runtime and closes it.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static PricingServer start(ServiceConfig config, PinnRuntime.Builder runtimeBuilder) {
        PrometheusRegistry registry = new PrometheusRegistry();
        runtimeBuilder.metricsRegistry(registry).closeTimeout(config.drainTimeout());
        Path directory = config.modelsDirectory();
        if (directory != null) runtimeBuilder.modelDirectory(directory, false);
        PinnRuntime runtime = runtimeBuilder.build();
        try {
            return new PricingServer(config, registry, runtime);
        } catch (IOException e) {
            runtime.close();
            throw new UncheckedIOException("cannot listen on " + config.address().getHostString() + ":" + config.address().getPort() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            runtime.close();
            throw e;
        }
    }

    /** The port the server listens on (the one chosen when the configuration said 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The registry {@code /metrics} exposes: the runtime's metrics and the server's. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The runtime the server prices with. */
    public PinnRuntime runtime() {
        return runtime;
    }

    /** Requests being handled now. */
    public int requestsInFlight() {
        return handling.get();
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosing() {
        return closing.get();
    }

    /**
     * Drains and stops: no new connections are accepted, requests in flight finish (for up to the
     * drain timeout), then the handler threads stop and the runtime closes. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        long drainSeconds = Math.max(0, (config.drainTimeout().toMillis() + 999) / 1000);
        try {
            server.stop((int) Math.min(Integer.MAX_VALUE, drainSeconds));
            executor.shutdown();
            if (!executor.awaitTermination(config.drainTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        } finally {
            runtime.close();
        }
    }

    // ---- dispatch ----

    private void route(String path, Map<String, Handler> methods) {
        routes.put(path, new Route(path, methods));
    }

    private static Map<String, Handler> orderedMap(String m1, Handler h1, String m2, Handler h2) {
        Map<String, Handler> map = new LinkedHashMap<>();
        map.put(m1, h1);
        map.put(m2, h2);
        return map;
    }

    /** Every request comes here: routing, refusals, the catch-all, metrics, and the answer. */
    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        handling.incrementAndGet();
        metrics.started();
        String method = exchange.getRequestMethod();
        Route route = routes.get(path(exchange));
        String endpoint = route == null ? ServiceMetrics.UNMATCHED : route.path();
        Reply reply;
        try {
            reply = dispatch(exchange, route, method);
        } catch (ApiException e) {
            reply = error(e);
        } catch (InvalidInputException e) {
            reply = error(new ApiException(400, e.field(), e.index(), e.reason()));
        } catch (Throwable t) {
            reply = internalError(exchange, t);
        }
        try {
            metrics.answered(endpoint, method, reply.status(), System.nanoTime() - start);
            send(exchange, reply);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "could not answer " + method + " " + endpoint + ": " + e);   // the client went away
        } finally {
            exchange.close();
            handling.decrementAndGet();
        }
    }

    private Reply dispatch(HttpExchange exchange, Route route, String method) throws Exception {
        if (route == null) {
            throw new ApiException(404, "path", "names no endpoint: " + Json.shown(path(exchange))
                    + "; the endpoints are " + String.join(", ", routes.keySet()));
        }
        Handler handler = route.methods().get(method);
        if (handler == null) {
            throw new ApiException(405, "method", -1, Json.shown(method) + " is not allowed on " + route.path() + "; allowed: " + route.allow(),
                    List.of(Map.entry("Allow", route.allow())));
        }
        return handler.handle(exchange);
    }

    private static String path(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        return path == null ? "" : path;
    }

    private static Reply error(ApiException e) {
        try {
            return new Reply(e.status(), JSON, Json.MAPPER.writeValueAsBytes(e.body()), e.headers());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private Reply internalError(HttpExchange exchange, Throwable t) {
        if (t instanceof IllegalStateException && runtime.isClosed()) {
            return error(new ApiException(503, "service", "is shutting down; retry on another instance"));
        }
        long reference = errorReferences.incrementAndGet();
        LOG.log(Level.ERROR, "internal error #" + reference + " answering " + exchange.getRequestMethod() + " "
                + path(exchange), t);
        return error(new ApiException(500, "server", "internal error #" + reference + "; the server's log has the details"));
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", reply.contentType());
        for (Map.Entry<String, String> header : reply.headers()) headers.set(header.getKey(), header.getValue());
        byte[] body = reply.body();
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The request body, at most {@link ServiceConfig#maxBodyBytes()}.
     *
     * @throws ApiException 413 for a larger body (read and discarded up to 16 MiB first, so the
     *     client can read the answer; beyond that the connection is closed)
     */
    private byte[] body(HttpExchange exchange) throws IOException {
        int limit = config.maxBodyBytes();
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        InputStream in = exchange.getRequestBody();
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("body", "has an unreadable Content-Length");
            }
            if (declared > limit) throw tooLarge(in, declared);
            return in.readNBytes((int) declared);
        }
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) throw tooLarge(in, -1);
        return body;
    }

    private ApiException tooLarge(InputStream in, long declared) throws IOException {
        if (declared <= DISCARD_LIMIT) {
            long discarded = in.skip(DISCARD_LIMIT);
            while (discarded < DISCARD_LIMIT && in.read() >= 0) discarded += 1 + in.skip(DISCARD_LIMIT - discarded);
        }
        return new ApiException(413, "body", "is larger than the limit of " + config.maxBodyBytes() + " bytes (1 MiB)"
                + (declared > 0 ? ": Content-Length is " + declared : ""));
    }

    // ---- endpoints ----

    private Reply price(HttpExchange exchange) throws IOException {
        PriceRequest request = PriceRequest.parse(body(exchange), config.maxOptions());
        if (request.allScalar()) {
            PricedOption option = runtime.price(request.type().values()[0], request.spot().values()[0], request.strike().values()[0],
                    request.expiry().values()[0], request.rate().values()[0], request.vol().values()[0]);
            return Reply.json(200, PriceResponse.Single.of(option));
        }
        PricedBatch batch = runtime.price(request.toBatch());
        return Reply.json(200, PriceResponse.Batch.of(batch));
    }

    private Reply health(HttpExchange exchange) throws IOException {
        if (closing.get() || runtime.isClosed()) return Reply.json(503, Map.of("status", "draining"));
        return Reply.json(200, new Health("ok", runtime.currentModel().name()));
    }

    /** The answer of {@code GET /healthz}. */
    private record Health(String status, String model) {}

    private Reply listModels(HttpExchange exchange) throws IOException {
        return Reply.json(200, new ModelViews.Models(ModelViews.Model.of(runtime.currentModel()),
                runtime.cachedModels().stream().map(ModelViews.CachedModel::of).toList(), ModelViews.Cache.of(runtime.cacheStatistics())));
    }

    private Reply loadModel(HttpExchange exchange) throws IOException {
        admin.check(exchange.getRequestHeaders().getFirst("Authorization"));
        String[] name = new String[1];
        boolean[] present = Json.readObject(body(exchange), List.of("name"), (field, parser) -> {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw ApiException.badRequest("name", "must be a string, the model's file name, was " + Json.describe(parser, parser.currentToken()));
            }
            name[0] = parser.getText();
        });
        if (!present[0]) throw ApiException.badRequest("name", "is missing; send {\"name\": \"<file in the models directory>\"}");
        ModelFile file = models.read(name[0]);
        ModelInfo info = runtime.swapModel(name[0], file);
        LOG.log(Level.INFO, "model " + name[0] + " is now current");
        return Reply.json(200, new ModelViews.Loaded(ModelViews.Model.of(info)));
    }

    private Reply clearCache(HttpExchange exchange) throws IOException {
        admin.check(exchange.getRequestHeaders().getFirst("Authorization"));
        runtime.clearCache();
        LOG.log(Level.INFO, "model cache cleared");
        return Reply.json(200, new ModelViews.Cleared(true, ModelViews.Cache.of(runtime.cacheStatistics())));
    }

    private Reply scrape(HttpExchange exchange) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        metricsWriter.write(out, registry.scrape());
        return new Reply(200, metricsWriter.getContentType(), out.toByteArray(), List.of());
    }
}
