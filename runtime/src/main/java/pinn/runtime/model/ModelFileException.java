package pinn.runtime.model;

import java.io.IOException;
import java.io.Serial;
import java.util.Objects;

/**
 * A model file could not be loaded: it is missing or unreadable, not a model file, of a newer
 * format version, truncated, corrupted, or internally inconsistent.
 *
 * <p>The message names the file and the problem, e.g. {@code "model.pinn: checksum mismatch (file
 * says 1a2b3c4d, contents give 5e6f7081): the file is corrupted"}; {@link #reason()} classifies
 * it for code (metrics, exit codes, retries) so that nobody has to parse messages.
 *
 * <p>It is a checked exception, and an {@link IOException}: a bad model file is an expected,
 * recoverable failure at a system boundary (the CLI and the server must report it, not crash), so
 * callers should be made to handle it, and it travels through I/O code like any other I/O failure.
 */
public final class ModelFileException extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** What kind of problem the file has. */
    public enum Reason {
        /** The file could not be opened or read (missing, permission denied, I/O error). */
        UNREADABLE,
        /** The file is larger than {@link ModelFileFormat#MAX_FILE_BYTES}. */
        TOO_LARGE,
        /** The file does not start with the magic bytes: it is something else, or empty. */
        NOT_A_MODEL_FILE,
        /** The file is of a newer format version than this reader supports. */
        UNSUPPORTED_VERSION,
        /** The file ends before its last field: an incomplete write or copy. */
        TRUNCATED,
        /** The checksum does not match the contents: bytes were changed after writing. */
        CORRUPTED,
        /**
         * The checksum matches but the contents break the format's rules (sizes that disagree,
         * NaN weights, out-of-range lengths): the file was not written by a correct writer.
         */
        INVALID
    }

    private final String sourceName;
    private final Reason reason;
    private final String problem;

    /**
     * @param sourceName the file name or other source description, shown first in the message
     * @param reason     the kind of problem
     * @param problem    what is wrong, in words, without the source name
     */
    public ModelFileException(String sourceName, Reason reason, String problem) {
        this(sourceName, reason, problem, null);
    }

    /** As {@link #ModelFileException(String, Reason, String)}, with the exception that caused it. */
    public ModelFileException(String sourceName, Reason reason, String problem, Throwable cause) {
        super(sourceName + ": " + problem, cause);
        this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The file name or source description the problem was found in. */
    public String sourceName() {
        return sourceName;
    }

    /** The kind of problem. */
    public Reason reason() {
        return reason;
    }

    /** What is wrong, in words: the message without the source name. */
    public String problem() {
        return problem;
    }
}
