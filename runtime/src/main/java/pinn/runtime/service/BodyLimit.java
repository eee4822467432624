package pinn.runtime.service;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpExpectationFailedEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Gathers a request's body, up to {@link ServiceConfig#maxBodyBytes()}, into one
 * {@link io.netty.handler.codec.http.FullHttpRequest}, and tells its connection when a request's
 * head has been read, before any {@code 100 Continue} is sent (the request is in flight while its
 * body arrives).
 *
 * <p>Requests refused before their body is read are passed on as {@link Refused}, which the
 * connection answers with the service's JSON error (Netty's own answers would be empty):
 *
 * <ul>
 *   <li>a body over the limit: 413 as soon as the {@code Content-Length} (or, chunked, the running
 *       total) shows it. The rest of the body is read and thrown away as it arrives, so that the
 *       client, still sending, hears the 413 rather than a reset connection; the connection then
 *       serves on, or, when the client asked to close it, closes once the body has ended
 *       ({@link HttpConnection#oversizedBodyEnded()}). Beyond {@link #DISCARD_LIMIT} bytes,
 *       declared or sent, the connection closes without waiting;
 *   <li>{@code Expect: 100-continue} with a {@code Content-Length} over the limit: 413 instead of
 *       {@code 100 Continue}; any other expectation: 417. The client sends no body then, and the
 *       connection closes after the answer.
 * </ul>
 */
final class BodyLimit extends HttpObjectAggregator {

    /** Bodies beyond this are not read to their end: the connection closes after the 413. */
    static final long DISCARD_LIMIT = 16L << 20;

    /** A request refused before its body was read: what the connection needs to answer it. */
    record Refused(String method, String uri, boolean keepAlive, boolean http10, ApiException reason) {}

    private final HttpConnection connection;
    /** Whether the message being read is the last part of a request (its head and body, or its last chunk). */
    private boolean readingLast;
    /** The rest of an oversized body is arriving and being thrown away; how much of it so far. */
    private boolean discarding;
    private long discarded;

    BodyLimit(int maxBodyBytes, HttpConnection connection) {
        super(maxBodyBytes);
        this.connection = connection;
    }

    /** Whether the rest of an oversized body is still arriving (and being thrown away). */
    boolean discarding() {
        return discarding;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (discarding && msg instanceof HttpContent content) {   // the aggregator drops it; watch for its end
            discarded += content.content().readableBytes();
            boolean last = msg instanceof LastHttpContent;
            if (last) discarding = false;
            super.channelRead(ctx, msg);
            if (last) {
                connection.oversizedBodyEnded();
            } else if (discarded > DISCARD_LIMIT) {
                discarding = false;
                ctx.close();
            }
            return;
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpMessage)) {
            connection.headRead();
            Refused refused = refusedExpectation(request);
            if (refused != null) {
                // The decoder, now expecting the body, is told that none will come; the aggregator never sees this request.
                ctx.pipeline().fireUserEventTriggered(HttpExpectationFailedEvent.INSTANCE);
                ctx.fireChannelRead(refused);
                return;
            }
        }
        readingLast = msg instanceof LastHttpContent;
        super.channelRead(ctx, msg);
    }

    /** The refusal of a request whose {@code Expect} cannot be met, or null. */
    private Refused refusedExpectation(HttpRequest request) {
        // As HttpUtil's (package-private) test: HTTP/1.1 or later, an Expect other than 100-continue; HTTP/1.0 ignores Expect.
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            return refused(request, false, new ApiException(417, "expect", "only 100-continue is supported, was \"" + Json.shown(expect) + "\""));
        }
        if (HttpUtil.is100ContinueExpected(request) && isContentLengthInvalid(request, maxContentLength())) {
            return refused(request, false, tooLarge(HttpUtil.getContentLength(request, -1L)));
        }
        return null;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest request)) {   // a server decodes requests only
            ctx.close();
            return;
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        // Refused on its head, the body is still to come; refused on a chunk, unless that was the last.
        boolean bodyArriving = !(oversized instanceof FullHttpMessage) || !readingLast;
        if (bodyArriving && declared <= DISCARD_LIMIT) {
            discarding = true;
            discarded = 0;
        }
        ctx.fireChannelRead(refused(request, HttpUtil.isKeepAlive(request) && declared <= DISCARD_LIMIT, tooLarge(declared)));
    }

    private ApiException tooLarge(long declared) {
        int limit = maxContentLength();
        return new ApiException(413, "body", "is larger than the limit of " + limit + " bytes" + (limit == 1 << 20 ? " (1 MiB)" : "")
                + (declared > 0 ? ": Content-Length is " + declared : ""));
    }

    private static Refused refused(HttpRequest request, boolean keepAlive, ApiException reason) {
        return new Refused(request.method().name(), request.uri(), keepAlive, request.protocolVersion() == HttpVersion.HTTP_1_0, reason);
    }
}
