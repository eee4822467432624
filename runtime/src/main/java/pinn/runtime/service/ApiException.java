package pinn.runtime.service;

import java.io.Serial;
import java.util.List;
import java.util.Map;

/**
 * A request the service refuses, with the HTTP status to answer and what the client is told:
 * the field at fault, the index of the offending element in an array field (−1 when none) and
 * the reason. Thrown by request handling, turned into {@link ErrorBody} JSON at the top of the
 * server; it carries no stack trace, since it describes the client's mistake, not a fault.
 */
final class ApiException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String field;
    private final int index;
    private final String reason;
    private final transient List<Map.Entry<String, String>> headers;

    ApiException(int status, String field, int index, String reason, List<Map.Entry<String, String>> headers) {
        super(field + (index >= 0 ? "[" + index + "]" : "") + " " + reason, null, false, false);
        this.status = status;
        this.field = field;
        this.index = index;
        this.reason = reason;
        this.headers = List.copyOf(headers);
    }

    ApiException(int status, String field, int index, String reason) {
        this(status, field, index, reason, List.of());
    }

    ApiException(int status, String field, String reason) {
        this(status, field, -1, reason, List.of());
    }

    /** 400 Bad Request about {@code field}. */
    static ApiException badRequest(String field, String reason) {
        return new ApiException(400, field, -1, reason);
    }

    /** 400 Bad Request about element {@code index} of the array {@code field}. */
    static ApiException badRequest(String field, int index, String reason) {
        return new ApiException(400, field, index, reason);
    }

    int status() {
        return status;
    }

    String field() {
        return field;
    }

    int index() {
        return index;
    }

    String reason() {
        return reason;
    }

    /** Headers the answer must carry, e.g. {@code Allow} for 405 or {@code WWW-Authenticate} for 401. */
    List<Map.Entry<String, String>> headers() {
        return headers;
    }

    ErrorBody body() {
        return ErrorBody.of(field, index, reason);
    }
}
