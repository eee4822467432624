package pinn.runtime.model;

import java.nio.charset.StandardCharsets;

/**
 * The constants of the model file format: its magic bytes, the version this runtime writes and
 * reads, and the limits a reader enforces before it allocates anything. The byte layout itself is
 * documented in {@linkplain pinn.runtime.model the package description}.
 *
 * <p>The limits are generous for a PINN (a 4→64→64→64→64→1 network is about 100 KiB on disk) and
 * exist so that a damaged or hostile file cannot make a reader allocate gigabytes. A
 * {@link ModelFile} that exceeds them cannot be constructed, so everything the writer produces
 * the reader accepts.
 */
public final class ModelFileFormat {

    /** The eight bytes every model file starts with, as ASCII text. */
    public static final String MAGIC_TEXT = "PINNMODL";

    /** The format version this runtime writes, and the newest it reads. */
    public static final int VERSION = 1;

    /** Largest model file a reader accepts, in bytes (256 MiB, about 33 million float64 values). */
    public static final int MAX_FILE_BYTES = 256 << 20;

    /** Most entries in the list of layer sizes (input layer, hidden layers and output layer together). */
    public static final int MAX_LAYER_SIZES = 1024;

    /** Widest layer, in neurons (or input features, or outputs). */
    public static final int MAX_LAYER_WIDTH = 1 << 16;

    /** Longest name (activation, input feature, loss term), in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 1024;

    /** Longest free text (training command line, notes), in UTF-8 bytes (1 MiB). */
    public static final int MAX_TEXT_BYTES = 1 << 20;

    /** Most entries in the map of final losses. */
    public static final int MAX_LOSS_TERMS = 1024;

    /** Size of the trailing CRC32C checksum, in bytes. */
    public static final int CHECKSUM_BYTES = 4;

    static final byte[] MAGIC = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);

    /** Bytes of the header: magic and version. */
    static final int HEADER_BYTES = MAGIC.length + Integer.BYTES;

    private ModelFileFormat() {}

    /** The magic bytes, a fresh copy. */
    public static byte[] magic() {
        return MAGIC.clone();
    }

    /**
     * The UTF-8 length in bytes of {@code text}, after checking that it can be stored: not null,
     * no unpaired surrogate (which UTF-8 cannot represent, so it would not survive a round trip),
     * at most {@code maxBytes} bytes.
     *
     * @param what names the text in the exception message, e.g. {@code "activation name"}
     * @throws IllegalArgumentException if the text cannot be stored
     */
    static int checkedUtf8Length(String text, String what, int maxBytes) {
        if (text == null) throw new IllegalArgumentException(what + " must not be null");
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(
                        what + " has an unpaired surrogate at index " + i + ", which UTF-8 cannot store");
            } else {
                bytes += 3;
            }
        }
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(
                    what + " is " + bytes + " UTF-8 bytes long, more than the limit of " + maxBytes);
        }
        return (int) bytes;
    }
}
