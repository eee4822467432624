package pinn.runtime.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/**
 * Guards the admin endpoints ({@code POST /v1/models}, {@code DELETE /v1/cache}): a request must
 * carry {@code Authorization: Bearer <token>} with the token the server was given (the
 * environment variable {@value #ENVIRONMENT_VARIABLE} for {@code ./pinn serve}). Without a
 * configured token the admin endpoints are disabled and answer 403; a missing, malformed or wrong
 * token is answered 401 with a {@code WWW-Authenticate} challenge.
 *
 * <p>The comparison takes the same time whatever the token sent: both tokens are hashed with
 * SHA-256 and the digests compared with {@link MessageDigest#isEqual}, which is constant-time; the
 * hashing also hides the expected token's length.
 */
final class AdminAuth {

    /** Where {@code ./pinn serve} reads the admin token from. */
    static final String ENVIRONMENT_VARIABLE = "PINN_ADMIN_TOKEN";

    private static final List<Map.Entry<String, String>> CHALLENGE = List.of(Map.entry("WWW-Authenticate", "Bearer realm=\"pinn-admin\""));

    private final byte[] expectedDigest;

    /** @param token the admin token, or null or blank to disable the admin endpoints */
    AdminAuth(String token) {
        this.expectedDigest = token == null || token.isBlank() ? null : sha256(token);
    }

    boolean enabled() {
        return expectedDigest != null;
    }

    /**
     * Lets the request through or throws.
     *
     * @param authorization the request's Authorization header, or null
     * @throws ApiException 403 when admin is disabled, 401 when the token is missing or wrong
     */
    void check(String authorization) {
        if (expectedDigest == null) {
            throw new ApiException(403, "authorization", "admin endpoints are disabled: the server was started without "
                    + ENVIRONMENT_VARIABLE);
        }
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException(401, "authorization", -1, "is missing; admin endpoints need the header Authorization: Bearer <token>",
                    CHALLENGE);
        }
        int space = authorization.indexOf(' ');
        if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw new ApiException(401, "authorization", -1, "must use the Bearer scheme: Authorization: Bearer <token>", CHALLENGE);
        }
        byte[] presented = sha256(authorization.substring(space + 1).strip());
        if (!MessageDigest.isEqual(expectedDigest, presented)) {
            throw new ApiException(401, "authorization", -1, "does not hold the admin token", CHALLENGE);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);   // every JDK has it
        }
    }
}
