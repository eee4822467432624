package pinn.runtime.service;

import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import pinn.runtime.engine.InvalidInputException;
import pinn.runtime.engine.ModelInfo;
import pinn.runtime.engine.OptionBatch;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedOption;
import pinn.runtime.model.ModelFile;
import pinn.runtime.service.Outcome.Deferred;
import pinn.runtime.service.Outcome.Reply;

/**
 * The service's endpoints: which path and method run which handler, what each handler answers,
 * and how a failure becomes an answer. Knows nothing of connections or threads beyond one rule:
 * a handler runs on an event-loop thread and answers there when that costs microseconds (one
 * option, a small batch, health, the model list, a scrape), and hands anything longer to the
 * work threads as {@link Deferred} (a large batch, an admin request that reads a file).
 */
final class ServiceRoutes {

    private static final System.Logger LOG = System.getLogger(PricingServer.class.getName());

    /**
     * Bodies up to this size are parsed on the event loop: a few tens of microseconds at most.
     * Larger ones (up to {@link ServiceConfig#maxBodyBytes()}, milliseconds to parse) are parsed on
     * a work thread.
     */
    static final int INLINE_BODY_BYTES = 8 << 10;
    /**
     * Batches up to this many options are priced on the event loop (≈ 2–3 µs an option, so at most
     * ≈ 0.2 ms); larger ones on a work thread, which spreads them over the runtime's workers.
     */
    static final int INLINE_OPTIONS = 64;

    /** Handles one endpoint and method; throws {@link ApiException} to refuse. */
    @FunctionalInterface
    interface Endpoint {
        Outcome handle(FullHttpRequest request, ByteBufAllocator alloc) throws Exception;
    }

    /** One path and its handlers by method. */
    record Route(String path, Map<String, Endpoint> methods, String allow) {}

    private final ServiceConfig config;
    private final PrometheusRegistry registry;
    private final PinnRuntime runtime;
    private final AtomicBoolean closing;
    private final AdminAuth admin;
    private final ModelDirectory models;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final PrometheusTextFormatWriter metricsWriter = PrometheusTextFormatWriter.create();
    private final AsciiString metricsContentType = AsciiString.of(metricsWriter.getContentType());
    private final AtomicLong errorReferences = new AtomicLong();

    /** @param closing true once the server has begun to drain: {@code /healthz} then answers 503 */
    ServiceRoutes(ServiceConfig config, PrometheusRegistry registry, PinnRuntime runtime, AtomicBoolean closing) {
        this.config = config;
        this.registry = registry;
        this.runtime = runtime;
        this.closing = closing;
        this.admin = new AdminAuth(config.adminToken());
        this.models = new ModelDirectory(config.modelsDirectory());
        route("/v1/price", "POST", this::price);
        route("/v1/models", "GET", this::listModels, "POST", this::loadModel);
        route("/v1/cache", "DELETE", this::clearCache);
        route("/healthz", "GET", this::health);
        route("/metrics", "GET", this::scrape);
    }

    private void route(String path, String method, Endpoint endpoint) {
        routes.put(path, new Route(path, Map.of(method, endpoint), method));
    }

    private void route(String path, String method1, Endpoint endpoint1, String method2, Endpoint endpoint2) {
        routes.put(path, new Route(path, Map.of(method1, endpoint1, method2, endpoint2), method1 + ", " + method2));
    }

    /** The route of {@code path}, or null. */
    Route find(String path) {
        return routes.get(path);
    }

    /** The metrics label of a request to {@code route}: its path, or {@code unmatched}. */
    static String endpointLabel(Route route) {
        return route == null ? ServiceMetrics.UNMATCHED : route.path();
    }

    /** The path of a request target: origin form ({@code /v1/price?x}) or absolute form, without query or fragment. */
    static String path(String uri) {
        if (uri.startsWith("/")) {
            int end = uri.indexOf('?');
            int fragment = uri.indexOf('#');
            if (fragment >= 0 && (end < 0 || fragment < end)) end = fragment;
            return end < 0 ? uri : uri.substring(0, end);
        }
        try {
            String path = new URI(uri).getRawPath();
            return path == null ? "" : path;
        } catch (URISyntaxException e) {
            return uri;
        }
    }

    /**
     * Runs the handler of {@code route} and {@code method}.
     *
     * @throws ApiException 404 for no route, 405 (with {@code Allow}) for a method the route lacks,
     *     or whatever the handler refuses
     */
    Outcome dispatch(Route route, String method, String path, FullHttpRequest request, ByteBufAllocator alloc) throws Exception {
        if (route == null) {
            throw new ApiException(404, "path", "names no endpoint: " + Json.shown(path) + "; the endpoints are " + String.join(", ", routes.keySet()));
        }
        Endpoint endpoint = route.methods().get(method);
        if (endpoint == null) {
            throw new ApiException(405, "method", -1, Json.shown(method) + " is not allowed on " + route.path() + "; allowed: " + route.allow(),
                    List.of(Map.entry("Allow", route.allow())));
        }
        return endpoint.handle(request, alloc);
    }

    /**
     * The answer to a failure: a refusal's JSON; 400 for input the runtime refused; 503 once the
     * runtime is closed; anything else is logged here with its stack trace and answered 500 with a
     * reference number only, so that no class name or trace reaches the client.
     */
    Reply failure(Throwable t, String method, String path, ByteBufAllocator alloc) {
        if (t instanceof ApiException e) return Reply.error(alloc, e);
        if (t instanceof InvalidInputException e) return Reply.error(alloc, new ApiException(400, e.field(), e.index(), e.reason()));
        if (t instanceof IllegalStateException && runtime.isClosed()) {
            return Reply.error(alloc, new ApiException(503, "service", "is shutting down; retry on another instance"));
        }
        long reference = errorReferences.incrementAndGet();
        LOG.log(Level.ERROR, "internal error #" + reference + " answering " + method + " " + path, t);
        return Reply.error(alloc, new ApiException(500, "server", "internal error #" + reference + "; the server's log has the details"));
    }

    // ---- endpoints ----

    private Outcome price(FullHttpRequest request, ByteBufAllocator alloc) throws IOException {
        ByteBuf body = request.content();
        if (body.readableBytes() > INLINE_BODY_BYTES) return new Deferred(() -> price(parse(body), alloc));
        PriceRequest parsed = parse(body);
        if (parsed.allScalar()) return priceOne(parsed, alloc);
        OptionBatch batch = parsed.toBatch();
        if (batch.size() > INLINE_OPTIONS) return new Deferred(() -> priceBatch(batch, alloc));
        return priceBatch(batch, alloc);
    }

    private PriceRequest parse(ByteBuf body) {
        return PriceRequest.parse(ByteBufUtil.getBytes(body), config.maxOptions());
    }

    private Reply price(PriceRequest request, ByteBufAllocator alloc) throws IOException {
        return request.allScalar() ? priceOne(request, alloc) : priceBatch(request.toBatch(), alloc);
    }

    private Reply priceOne(PriceRequest request, ByteBufAllocator alloc) throws IOException {
        PricedOption option = runtime.price(request.type().values()[0], request.spot().values()[0], request.strike().values()[0],
                request.expiry().values()[0], request.rate().values()[0], request.vol().values()[0]);
        return Reply.json(alloc, 200, PriceResponse.Single.of(option));
    }

    private Reply priceBatch(OptionBatch batch, ByteBufAllocator alloc) throws IOException {
        return Reply.json(alloc, 200, PriceResponse.Batch.of(runtime.price(batch)));
    }

    private Outcome health(FullHttpRequest request, ByteBufAllocator alloc) throws IOException {
        if (closing.get() || runtime.isClosed()) return Reply.json(alloc, 503, Map.of("status", "draining"));
        return Reply.json(alloc, 200, new Health("ok", runtime.currentModel().name()));
    }

    /** The answer of {@code GET /healthz}. */
    private record Health(String status, String model) {}

    private Outcome listModels(FullHttpRequest request, ByteBufAllocator alloc) throws IOException {
        return Reply.json(alloc, 200, new ModelViews.Models(ModelViews.Model.of(runtime.currentModel()),
                runtime.cachedModels().stream().map(ModelViews.CachedModel::of).toList(), ModelViews.Cache.of(runtime.cacheStatistics())));
    }

    /** Admin: the token is checked here; reading the model file and swapping it in happen on a work thread. */
    private Outcome loadModel(FullHttpRequest request, ByteBufAllocator alloc) {
        admin.check(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        String[] name = new String[1];
        boolean[] present = Json.readObject(ByteBufUtil.getBytes(request.content()), List.of("name"), (field, parser) -> {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                throw ApiException.badRequest("name", "must be a string, the model's file name, was " + Json.describe(parser, parser.currentToken()));
            }
            name[0] = parser.getText();
        });
        if (!present[0]) throw ApiException.badRequest("name", "is missing; send {\"name\": \"<file in the models directory>\"}");
        return new Deferred(() -> {
            ModelFile file = models.read(name[0]);
            ModelInfo info = runtime.swapModel(name[0], file);
            LOG.log(Level.INFO, "model " + name[0] + " is now current");
            return Reply.json(alloc, 200, new ModelViews.Loaded(ModelViews.Model.of(info)));
        });
    }

    /** Admin: retiring the cached models frees native memory, which may wait for pricing in flight: on a work thread. */
    private Outcome clearCache(FullHttpRequest request, ByteBufAllocator alloc) {
        admin.check(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        return new Deferred(() -> {
            runtime.clearCache();
            LOG.log(Level.INFO, "model cache cleared");
            return Reply.json(alloc, 200, new ModelViews.Cleared(true, ModelViews.Cache.of(runtime.cacheStatistics())));
        });
    }

    private Outcome scrape(FullHttpRequest request, ByteBufAllocator alloc) throws IOException {
        ByteBuf body = alloc.buffer(16 << 10);
        try (OutputStream out = new ByteBufOutputStream(body)) {
            metricsWriter.write(out, registry.scrape());
        } catch (IOException | RuntimeException e) {
            body.release();
            throw e;
        }
        return new Reply(HttpResponseStatus.OK, metricsContentType, body, List.of());
    }
}
