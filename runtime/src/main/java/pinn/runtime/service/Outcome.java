package pinn.runtime.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What an endpoint makes of a request: a {@link Reply} ready to be written, or {@link Deferred}
 * work that yields one and must not run on an event-loop thread (a large batch, a file read).
 */
sealed interface Outcome permits Outcome.Reply, Outcome.Deferred {

    /** The content type of every JSON answer. */
    AsciiString JSON = AsciiString.cached("application/json");

    /**
     * An answer with a known length (never chunked). The body is a reference-counted buffer that
     * the writer releases (through the HTTP encoder) or {@link #release()} gives back.
     *
     * @param headers extra headers, e.g. {@code Allow} for 405 or {@code WWW-Authenticate} for 401
     */
    record Reply(HttpResponseStatus status, CharSequence contentType, ByteBuf body, List<Map.Entry<String, String>> headers)
            implements Outcome {

        /** {@code value} written as JSON by the service's mapper straight into a pooled buffer. */
        static Reply json(ByteBufAllocator alloc, int status, Object value) throws IOException {
            return json(alloc, status, value, List.of());
        }

        static Reply json(ByteBufAllocator alloc, int status, Object value, List<Map.Entry<String, String>> headers) throws IOException {
            ByteBuf body = alloc.buffer(256);
            try (OutputStream out = new ByteBufOutputStream(body)) {
                Json.MAPPER.writeValue(out, value);
            } catch (IOException | RuntimeException e) {
                body.release();
                throw e;
            }
            return new Reply(HttpResponseStatus.valueOf(status), JSON, body, headers);
        }

        /** The JSON {@link ErrorBody} of a refusal, with its status and headers. */
        static Reply error(ByteBufAllocator alloc, ApiException e) {
            try {
                return json(alloc, e.status(), e.body(), e.headers());
            } catch (JsonProcessingException impossible) {
                throw new IllegalStateException(impossible);   // an ErrorBody is three plain fields
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);   // a buffer does not fail to grow but by OutOfMemoryError
            }
        }

        /** Gives the body back when the answer will not be written. */
        void release() {
            body.release();
        }
    }

    /** Work for the server's work threads; what it returns, or throws, is the answer. */
    record Deferred(Callable<Reply> work) implements Outcome {}
}
