package pinn.runtime.model;

import pinn.runtime.model.ModelFileException.Reason;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads a model file from its bytes, checking every field before it trusts it.
 *
 * <p>The order of the checks decides which problem a damaged file is reported with:
 * <ol>
 *   <li>the magic bytes (else: not a model file), then the version field;</li>
 *   <li>the trailing CRC32C, which every format version keeps as its last four bytes; a file whose
 *       checksum matches is complete and unchanged since it was written, so newer versions are
 *       reported as such only then;</li>
 *   <li>the fields, in order. Every count and length is range-checked, and compared with the bytes
 *       that remain, before anything is allocated for it. When the checksum does not match, running
 *       out of bytes is reported as truncation, any other problem as corruption; when it matches,
 *       every problem means the writer broke the format's rules, and is reported as invalid.</li>
 * </ol>
 */
final class ModelFileDecoder {

    private final byte[] bytes;
    private final String source;
    private final ByteBuffer in;
    private final boolean checksumMatches;
    private final long storedChecksum;
    private final long computedChecksum;
    /** Where the fields end: before the checksum if it matches, else at the end of the file. */
    private final int fieldsEnd;
    /** Refuses malformed UTF-8 (overlong forms, encoded surrogates) instead of replacing it. */
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private ModelFileDecoder(byte[] bytes, String source) {
        this.bytes = bytes;
        this.source = source;
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean hasChecksum = bytes.length >= ModelFileFormat.HEADER_BYTES + ModelFileFormat.CHECKSUM_BYTES;
        if (hasChecksum) {
            int checksumAt = bytes.length - ModelFileFormat.CHECKSUM_BYTES;
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, checksumAt);
            this.computedChecksum = crc.getValue();
            this.storedChecksum = Integer.toUnsignedLong(in.getInt(checksumAt));
        } else {
            this.computedChecksum = -1;
            this.storedChecksum = -1;
        }
        this.checksumMatches = hasChecksum && storedChecksum == computedChecksum;
        this.fieldsEnd = checksumMatches ? bytes.length - ModelFileFormat.CHECKSUM_BYTES : bytes.length;
    }

    static ModelFile decode(byte[] bytes, String source) throws ModelFileException {
        if (bytes.length > ModelFileFormat.MAX_FILE_BYTES) {
            throw new ModelFileException(source, Reason.TOO_LARGE, "the file is " + bytes.length
                    + " bytes, more than the limit of " + ModelFileFormat.MAX_FILE_BYTES + " bytes for a model file");
        }
        checkMagic(bytes, source);
        return new ModelFileDecoder(bytes, source).decode();
    }

    private static void checkMagic(byte[] bytes, String source) throws ModelFileException {
        if (bytes.length == 0) {
            throw new ModelFileException(source, Reason.NOT_A_MODEL_FILE, "the file is empty (0 bytes), not a model file");
        }
        int compared = Math.min(bytes.length, ModelFileFormat.MAGIC.length);
        if (!Arrays.equals(bytes, 0, compared, ModelFileFormat.MAGIC, 0, compared)) {
            throw new ModelFileException(source, Reason.NOT_A_MODEL_FILE, "not a model file: it starts with "
                    + describeStart(bytes) + ", a model file starts with \"" + ModelFileFormat.MAGIC_TEXT + "\"");
        }
        if (bytes.length < ModelFileFormat.MAGIC.length) {
            throw new ModelFileException(source, Reason.TRUNCATED, "truncated while reading the magic bytes: the file has only "
                    + bytes.length + " bytes");
        }
    }

    /** The first bytes in hex, with their text when they are printable ASCII. */
    private static String describeStart(byte[] bytes) {
        int shown = Math.min(bytes.length, ModelFileFormat.MAGIC.length);
        StringBuilder hex = new StringBuilder();
        StringBuilder text = new StringBuilder();
        boolean printable = true;
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            if (i > 0) hex.append(' ');
            hex.append(String.format("%02x", b));
            printable &= b >= 0x20 && b < 0x7f;
            text.append((char) b);
        }
        return printable ? hex + " (\"" + text + "\")" : hex.toString();
    }

    private ModelFile decode() throws ModelFileException {
        in.position(ModelFileFormat.MAGIC.length);
        int version = readInt("the format version");
        if (version != ModelFileFormat.VERSION) {
            if (version > ModelFileFormat.VERSION && checksumMatches) {
                throw new ModelFileException(source, Reason.UNSUPPORTED_VERSION, "the file has format version "
                        + version + ", but this reader supports version " + ModelFileFormat.VERSION
                        + " only: load it with a newer PINN runtime");
            }
            throw problem("format version " + version + " is not one this reader knows (it reads version "
                    + ModelFileFormat.VERSION + ")");
        }

        Architecture architecture = readArchitecture();
        List<InputFeature> features = readInputFeatures(architecture);
        Domain domain = readDomain();
        TrainingMetadata metadata = readMetadata();
        List<LayerWeights> layers = readLayers(architecture);

        int left = fieldsEnd - in.position();
        if (!checksumMatches) {
            if (left < ModelFileFormat.CHECKSUM_BYTES) throw truncated("the checksum", ModelFileFormat.CHECKSUM_BYTES);
            if (left > ModelFileFormat.CHECKSUM_BYTES) {
                throw problem((left - ModelFileFormat.CHECKSUM_BYTES) + " unexpected bytes after the checksum");
            }
            throw problem(null); // every field reads well: only the checksum tells of the damage
        }
        if (left != 0) throw problem(left + " unexpected bytes between the last layer and the checksum");
        return build("the model", () -> new ModelFile(architecture, features, domain, metadata, layers));
    }

    private Architecture readArchitecture() throws ModelFileException {
        int count = readCount("the number of layer sizes", 2, ModelFileFormat.MAX_LAYER_SIZES);
        need((long) count * Integer.BYTES, "the layer sizes");
        List<Integer> sizes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sizes.add(readCount("layer size " + i, 1, ModelFileFormat.MAX_LAYER_WIDTH));
        }
        String activation = readString("the activation name", ModelFileFormat.MAX_NAME_BYTES);
        return build("the architecture", () -> new Architecture(sizes, activation));
    }

    private List<InputFeature> readInputFeatures(Architecture architecture) throws ModelFileException {
        int count = readCount("the number of input features", 0, ModelFileFormat.MAX_LAYER_WIDTH);
        if (count != architecture.inputCount()) {
            throw problem("the file lists " + count + " input features but the architecture ("
                    + architecture + ") has " + architecture.inputCount() + " inputs");
        }
        List<InputFeature> features = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = readString("input feature " + i + " name", ModelFileFormat.MAX_NAME_BYTES);
            double shift = readDouble("input feature " + i + " shift");
            double scale = readDouble("input feature " + i + " scale");
            features.add(build("input feature " + i + " (" + name + ")", () -> new InputFeature(name, shift, scale)));
        }
        return features;
    }

    private Domain readDomain() throws ModelFileException {
        double[] bounds = readDoubles(8, "the domain");
        return build("the domain", () -> new Domain(bounds[0], bounds[1], bounds[2], bounds[3],
                bounds[4], bounds[5], bounds[6], bounds[7]));
    }

    private TrainingMetadata readMetadata() throws ModelFileException {
        String commandLine = readString("the training command line", ModelFileFormat.MAX_TEXT_BYTES);
        long seed = readLong("the training seed");
        long steps = readLong("the training step count");
        int lossCount = readCount("the number of final losses", 0, ModelFileFormat.MAX_LOSS_TERMS);
        Map<String, Double> losses = new LinkedHashMap<>();
        for (int i = 0; i < lossCount; i++) {
            String name = readString("final loss " + i + " name", ModelFileFormat.MAX_NAME_BYTES);
            double value = readDouble("final loss " + i + " value");
            if (losses.put(name, value) != null) throw problem("final loss \"" + name + "\" appears twice");
        }
        long epochSecond = readLong("the training time (seconds)");
        int nano = readInt("the training time (nanoseconds)");
        if (nano < 0 || nano > 999_999_999) {
            throw problem("the training time has " + nano + " nanoseconds, outside 0..999999999");
        }
        Instant trainedAt;
        try {
            trainedAt = Instant.ofEpochSecond(epochSecond, nano);
        } catch (DateTimeException e) {
            throw problem("the training time, " + epochSecond + " s after the epoch, is out of range");
        }
        String notes = readString("the notes", ModelFileFormat.MAX_TEXT_BYTES);
        return build("the training metadata",
                () -> new TrainingMetadata(commandLine, seed, steps, losses, trainedAt, notes));
    }

    private List<LayerWeights> readLayers(Architecture architecture) throws ModelFileException {
        int count = readCount("the number of weight layers", 1, ModelFileFormat.MAX_LAYER_SIZES - 1);
        if (count != architecture.weightLayerCount()) {
            throw problem("the file holds " + count + " weight layers but the architecture (" + architecture
                    + ") has " + architecture.weightLayerCount());
        }
        List<LayerWeights> layers = new ArrayList<>(count);
        for (int layer = 0; layer < count; layer++) {
            String name = "layer " + (layer + 1);
            int inputs = readInt(name + " input count");
            int outputs = readInt(name + " output count");
            if (inputs != architecture.inputsOf(layer) || outputs != architecture.outputsOf(layer)) {
                throw problem(name + " is stored as " + inputs + "×" + outputs + " (inputs×outputs) but the architecture ("
                        + architecture + ") says " + architecture.inputsOf(layer) + "×" + architecture.outputsOf(layer));
            }
            double[] weights = readDoubles((long) inputs * outputs, name + " weights");
            double[] bias = readDoubles(outputs, name + " bias");
            layers.add(build(name, () -> new LayerWeights(inputs, outputs, weights, bias)));
        }
        return layers;
    }

    // ---- primitive reads: each checks the bytes it needs first ----

    private void need(long byteCount, String what) throws ModelFileException {
        if (byteCount > fieldsEnd - in.position()) throw truncated(what, byteCount);
    }

    private int readInt(String what) throws ModelFileException {
        need(Integer.BYTES, what);
        return in.getInt();
    }

    private long readLong(String what) throws ModelFileException {
        need(Long.BYTES, what);
        return in.getLong();
    }

    private double readDouble(String what) throws ModelFileException {
        need(Double.BYTES, what);
        return in.getDouble();
    }

    /** A count field, refused unless within [min, max]. */
    private int readCount(String what, int min, int max) throws ModelFileException {
        int count = readInt(what);
        if (count < min || count > max) {
            throw problem(what + " is " + count + ", outside the allowed " + min + ".." + max);
        }
        return count;
    }

    private double[] readDoubles(long count, String what) throws ModelFileException {
        need(count * Double.BYTES, what);
        double[] values = new double[(int) count];
        in.asDoubleBuffer().get(values);
        in.position(in.position() + values.length * Double.BYTES);
        return values;
    }

    private String readString(String what, int maxBytes) throws ModelFileException {
        int length = readCount(what + " length", 0, maxBytes);
        need(length, what);
        try {
            CharBuffer text = utf8.decode(in.slice(in.position(), length));
            in.position(in.position() + length);
            return text.toString();
        } catch (CharacterCodingException e) {
            throw problem(what + ": not valid UTF-8");
        }
    }

    // ---- failures ----

    private interface Builder<T> {
        T build();
    }

    /** Runs a record constructor, turning its validation failure into a ModelFileException. */
    private <T> T build(String what, Builder<T> builder) throws ModelFileException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw problem(what + ": " + e.getMessage());
        }
    }

    /** The file ran out of bytes while reading {@code what}. */
    private ModelFileException truncated(String what, long byteCount) {
        int at = in.position();
        if (checksumMatches) {
            return new ModelFileException(source, Reason.INVALID, "malformed: " + what + " needs " + byteCount
                    + " bytes at offset " + at + " but only " + (fieldsEnd - at) + " remain before the checksum");
        }
        return new ModelFileException(source, Reason.TRUNCATED, "truncated while reading " + what + " (needs "
                + byteCount + " bytes at offset " + at + ", the file ends at byte " + bytes.length + ")");
    }

    /**
     * A field that breaks the format's rules: invalid when the checksum matches, else corruption.
     *
     * @param what the first problem found, or null when the fields are fine and only the checksum is wrong
     */
    private ModelFileException problem(String what) {
        if (checksumMatches) return new ModelFileException(source, Reason.INVALID, what);
        if (storedChecksum < 0) {
            return new ModelFileException(source, Reason.TRUNCATED, what + "; the file is too short ("
                    + bytes.length + " bytes) to hold a checksum: it is truncated");
        }
        String mismatch = String.format("checksum mismatch (file says %08x, contents give %08x): the file is corrupted",
                storedChecksum, computedChecksum);
        return new ModelFileException(source, Reason.CORRUPTED,
                what == null ? mismatch : mismatch + " (first inconsistency found: " + what + ")");
    }
}
