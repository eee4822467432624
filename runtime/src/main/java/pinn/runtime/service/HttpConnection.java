package pinn.runtime.service;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import pinn.runtime.service.BodyLimit.Refused;
import pinn.runtime.service.Outcome.Deferred;
import pinn.runtime.service.Outcome.Reply;

/**
 * One HTTP/1.1 connection: runs each request through {@link ServiceRoutes} and writes its answer as
 * one {@link io.netty.handler.codec.http.FullHttpResponse} (headers and body in one write and
 * flush, always with {@code Content-Length}), in request order, with keep-alive as the client asks
 * ({@code Connection: close} is honoured, HTTP/1.0 clients may ask for keep-alive).
 *
 * <p>Everything here runs on the connection's event-loop thread, except {@link Deferred} work,
 * which runs on the work threads and whose answer comes back to the event loop to be written.
 * While a deferred request is being worked on, the connection stops reading, and requests that
 * were already read (pipelined) wait their turn, so that answers leave in request order.
 *
 * <p>Accounting: a request counts as in flight from its head being read ({@link #headRead()}) to
 * its answer having been written (for the server's drain) and, in the metrics, to its answer being
 * ready; a request whose connection closes first is counted as abandoned, never as answered.
 * Once the server is draining, every answer says {@code Connection: close} and the connection
 * closes after it.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(PricingServer.class.getName());
    /** Answers are built by this code, with constant header names and values: no validation needed. */
    private static final HttpHeadersFactory RESPONSE_HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    // Header names as most servers write them (Netty's constants are lower case, which HTTP/1.1 allows but naive clients may not expect).
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("Content-Type"), CONTENT_LENGTH = AsciiString.cached("Content-Length"),
            CONNECTION = AsciiString.cached("Connection");

    /** A request read while another was being worked on, with the time its head was read. */
    private record Waiting(Object request, long start) {}

    private final ServiceRoutes routes;
    private final ServiceMetrics metrics;
    private final InFlightRequests inFlight;
    private final Executor work;
    private final AtomicBoolean closing;

    private ChannelHandlerContext ctx;
    /** When the head of the request being read was read; −1 when no head has been counted for it. */
    private long headStart = -1;
    /** Requests counted in the metrics' in-flight gauge and not yet answered. */
    private int unanswered;
    /** Requests counted in the server's in-flight count whose answers are not yet written. */
    private int unwritten;
    /** A deferred request is being worked on: later requests wait in {@link #waiting}. */
    private boolean busy;
    /** An answer said {@code Connection: close}: nothing more is answered here. */
    private boolean closeAfterAnswer;
    /** The channel has closed; its counts are settled. */
    private boolean closed;
    private ArrayDeque<Waiting> waiting;
    /** This connection's {@link BodyLimit}: whether an oversized body is still being read and thrown away. */
    private BodyLimit bodyLimit;
    /** A 413 that said {@code Connection: close} while its body still arrived: the connection closes once both are done. */
    private ChannelFuture closeAfterBody;

    /** Settles an answer's write: no longer in flight; a failed write closes the connection. */
    private final ChannelFutureListener settle = this::settled;
    /** As {@link #settle}, then closes the connection: the answer said {@code Connection: close}. */
    private final ChannelFutureListener settleThenClose = future -> {
        settled(future);
        future.channel().close();
    };

    HttpConnection(ServiceRoutes routes, ServiceMetrics metrics, InFlightRequests inFlight, Executor work, AtomicBoolean closing) {
        this.routes = routes;
        this.metrics = metrics;
        this.inFlight = inFlight;
        this.work = work;
        this.closing = closing;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.bodyLimit = ctx.pipeline().get(BodyLimit.class);
    }

    /**
     * The rest of an oversized body has been read and thrown away (called by {@link BodyLimit}):
     * if its 413 said {@code Connection: close}, the connection closes once that is written.
     */
    void oversizedBodyEnded() {
        if (closeAfterBody != null) {
            closeAfterBody.addListener(ChannelFutureListener.CLOSE);
            closeAfterBody = null;
        }
    }

    /** A request's head has been read: from now on it is in flight (called by {@link BodyLimit}). */
    void headRead() {
        headStart = System.nanoTime();
        metrics.started();
        inFlight.begin();
        unanswered++;
        unwritten++;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) && !(msg instanceof Refused)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (headStart < 0) headRead();   // a request the decoder could not read comes whole, its head uncounted
        long start = headStart;
        headStart = -1;
        if (closed || closeAfterAnswer) {
            abandon(msg);
        } else if (busy) {
            if (waiting == null) waiting = new ArrayDeque<>();
            waiting.add(new Waiting(msg, start));
            ctx.channel().config().setAutoRead(false);
        } else {
            serve(msg, start);
        }
    }

    /** Answers one request now, or starts its deferred work. */
    private void serve(Object msg, long start) {
        if (msg instanceof Refused refused) {
            answer(refused.method(), ServiceRoutes.endpointLabel(routes.find(ServiceRoutes.path(refused.uri()))), start, refused.keepAlive(),
                    refused.http10(), Reply.error(ctx.alloc(), refused.reason()));
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        String method = request.method().name();
        String uri = request.uri();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            request.release();
            LOG.log(Level.DEBUG, "unreadable request: " + cause);
            answer(method, ServiceMetrics.UNMATCHED, start, false, http10, Reply.error(ctx.alloc(), unreadable(cause)));
            return;
        }
        String path = ServiceRoutes.path(uri);
        ServiceRoutes.Route route = routes.find(path);
        String endpoint = ServiceRoutes.endpointLabel(route);
        ByteBufAllocator alloc = ctx.alloc();
        Outcome outcome;
        try {
            outcome = routes.dispatch(route, method, path, request, alloc);
        } catch (Throwable t) {
            outcome = routes.failure(t, method, path, alloc);
        }
        if (outcome instanceof Reply reply) {
            request.release();
            answer(method, endpoint, start, keepAlive, http10, reply);
            return;
        }
        Deferred deferred = (Deferred) outcome;
        busy = true;
        try {
            work.execute(() -> {
                Reply reply;
                try {
                    reply = deferred.work().call();
                } catch (Throwable t) {
                    reply = routes.failure(t, method, path, alloc);
                } finally {
                    request.release();
                }
                Reply answer = reply;
                try {
                    ctx.executor().execute(() -> {
                        busy = false;
                        answer(method, endpoint, start, keepAlive, http10, answer);
                        serveWaiting();
                    });
                } catch (RejectedExecutionException stopped) {
                    answer.release();   // the event loop has stopped: the server closed while this was worked on
                }
            });
        } catch (RejectedExecutionException stopped) {
            request.release();
            busy = false;
            answer(method, endpoint, start, false, http10, Reply.error(alloc, new ApiException(503, "service", "is shutting down; retry on another instance")));
        }
    }

    /** Serves the requests that waited for a deferred one, until one is deferred again; then reads on. */
    private void serveWaiting() {
        while (!busy && waiting != null && !waiting.isEmpty()) {
            Waiting next = waiting.poll();
            if (closed || closeAfterAnswer) abandon(next.request());
            else serve(next.request(), next.start());
        }
        if (!busy && !closed && (!closeAfterAnswer || closeAfterBody != null)) {
            ctx.channel().config().setAutoRead(true);   // read on: the next requests, or the rest of a refused body
        }
    }

    /** Writes one answer, counted in the metrics before it is written (a client holding it can trust the counters include it). */
    private void answer(String method, String endpoint, long start, boolean keepAlive, boolean http10, Reply reply) {
        if (closed) {
            reply.release();
            return;
        }
        metrics.answered(endpoint, method, reply.status().code(), System.nanoTime() - start);
        unanswered--;
        boolean keep = keepAlive && !closing.get();
        HttpHeaders headers = RESPONSE_HEADERS.newHeaders();
        headers.set(CONTENT_TYPE, reply.contentType());
        headers.setInt(CONTENT_LENGTH, reply.body().readableBytes());
        for (Map.Entry<String, String> header : reply.headers()) headers.set(header.getKey(), header.getValue());
        if (!keep) headers.set(CONNECTION, HttpHeaderValues.CLOSE);
        else if (http10) headers.set(CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ChannelFuture future = ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reply.status(), reply.body(), headers,
                EmptyHttpHeaders.INSTANCE));
        if (keep) {
            future.addListener(settle);
        } else if (bodyLimit != null && bodyLimit.discarding()) {
            // Closing now, with the client still sending, would reset the connection under the 413: read the body out first.
            closeAfterAnswer = true;
            future.addListener(settle);
            closeAfterBody = future;
        } else {
            closeAfterAnswer = true;
            future.addListener(settleThenClose);
        }
    }

    private void settled(ChannelFuture future) {
        if (!closed) {
            unwritten--;
            inFlight.end(1);
        }
        if (!future.isSuccess()) {
            LOG.log(Level.DEBUG, "could not write an answer: " + future.cause());   // the client went away
            future.channel().close();
        }
    }

    /** A request that will not be answered (its connection is closing): counted as abandoned. */
    private void abandon(Object msg) {
        ReferenceCountUtil.release(msg);
        if (closed) return;
        metrics.abandoned();
        unanswered--;
        unwritten--;
        inFlight.end(1);
    }

    /** The answer to a request the HTTP decoder could not read; the connection closes after it. */
    private static ApiException unreadable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) return new ApiException(414, "request", "has a request line longer than the limit of 4096 bytes");
        if (cause instanceof TooLongHttpHeaderException) return new ApiException(431, "headers", "are larger than the limit of 8192 bytes");
        if (cause instanceof TooLongFrameException) return new ApiException(400, "request", "has a part larger than the server accepts");
        return new ApiException(400, "request", "is not a valid HTTP/1.1 request");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        if (waiting != null) {
            for (Waiting w : waiting) ReferenceCountUtil.release(w.request());
            waiting.clear();
        }
        // Requests read but not answered (a deferred one, waiting ones, one whose body was still arriving) will never be.
        for (int i = 0; i < unanswered; i++) metrics.abandoned();
        inFlight.end(unwritten);
        unanswered = 0;
        unwritten = 0;
        headStart = -1;
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the client, or a stream the HTTP decoder gave up on (e.g. more than 128 pipelined requests): the client's doing.
        if (cause instanceof IOException || cause instanceof DecoderException) LOG.log(Level.DEBUG, "connection closed: " + cause);
        else LOG.log(Level.WARNING, "connection closed after an unexpected error", cause);
        ctx.close();
    }
}
