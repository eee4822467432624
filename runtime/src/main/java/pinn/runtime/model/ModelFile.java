package pinn.runtime.model;

import pinn.runtime.model.ModelFileException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A trained model as it is saved and loaded: the network's shape, how its inputs are normalised,
 * the domain it was trained on, how it was trained, and every weight. An immutable value; it
 * holds no reference to a live network (the runtime builds one from it).
 *
 * <p>The byte layout (format version {@value ModelFileFormat#VERSION}) is documented in the
 * {@linkplain pinn.runtime.model package description}. Doubles round-trip bit for bit. Loading
 * checks every part and refuses a missing, foreign, newer, truncated, corrupted or inconsistent
 * file with a {@link ModelFileException} naming the file and the problem.
 *
 * @param architecture  layer sizes and activation
 * @param inputFeatures one entry per network input, in input order; as many as
 *                      {@code architecture.inputCount()}
 * @param domain        the parameter region the model was trained on
 * @param metadata      how it was trained
 * @param layerWeights  one entry per weight layer, inputs first, each sized as the architecture says
 */
public record ModelFile(Architecture architecture, List<InputFeature> inputFeatures, Domain domain,
                        TrainingMetadata metadata, List<LayerWeights> layerWeights) {

    /** @throws IllegalArgumentException if the parts disagree, or the file would exceed the format's limits */
    public ModelFile {
        Objects.requireNonNull(architecture, "architecture");
        inputFeatures = List.copyOf(inputFeatures);
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(metadata, "metadata");
        layerWeights = List.copyOf(layerWeights);
        if (inputFeatures.size() != architecture.inputCount()) {
            throw new IllegalArgumentException(inputFeatures.size() + " input features for an architecture ("
                    + architecture + ") with " + architecture.inputCount() + " inputs");
        }
        if (layerWeights.size() != architecture.weightLayerCount()) {
            throw new IllegalArgumentException(layerWeights.size() + " weight layers for an architecture ("
                    + architecture + ") with " + architecture.weightLayerCount());
        }
        for (int layer = 0; layer < layerWeights.size(); layer++) {
            LayerWeights weights = layerWeights.get(layer);
            if (weights.inputs() != architecture.inputsOf(layer) || weights.outputs() != architecture.outputsOf(layer)) {
                throw new IllegalArgumentException("layer " + (layer + 1) + " is " + weights.inputs() + "×"
                        + weights.outputs() + " (inputs×outputs) but the architecture (" + architecture + ") says "
                        + architecture.inputsOf(layer) + "×" + architecture.outputsOf(layer));
            }
        }
        long size = ModelFileEncoder.encodedSize(architecture, inputFeatures, metadata, layerWeights);
        if (size > ModelFileFormat.MAX_FILE_BYTES) {
            throw new IllegalArgumentException("the model would take " + size
                    + " bytes, more than the format's limit of " + ModelFileFormat.MAX_FILE_BYTES);
        }
    }

    /** Number of trainable values: all weights and biases. */
    public long parameterCount() {
        return architecture.parameterCount();
    }

    // ---- writing ----

    /** The complete file contents, checksum included. */
    public byte[] toBytes() {
        return ModelFileEncoder.encode(this);
    }

    /** Writes the complete file to {@code out}, which is left open. */
    public void write(OutputStream out) throws IOException {
        out.write(toBytes());
    }

    /**
     * Writes the file to {@code file}, replacing it if it exists. The bytes go to a temporary file
     * in the same directory, are forced to the device, and the temporary file is then renamed over
     * {@code file} (atomically where the file system can), so a crash never leaves a half-written
     * model where a good one was.
     */
    public void write(Path file) throws IOException {
        byte[] contents = toBytes();
        Path target = file.toAbsolutePath();
        Path temporary = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(contents);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    // ---- reading ----

    /**
     * Loads a model file.
     *
     * @throws ModelFileException if the file cannot be read or is not a valid model file; the
     *                            message starts with {@code file} as given
     */
    public static ModelFile read(Path file) throws ModelFileException {
        String source = file.toString();
        byte[] contents;
        try {
            long size = Files.size(file);
            if (size > ModelFileFormat.MAX_FILE_BYTES) {
                throw new ModelFileException(source, Reason.TOO_LARGE, "the file is " + size
                        + " bytes, more than the limit of " + ModelFileFormat.MAX_FILE_BYTES + " bytes for a model file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                contents = readAtMostLimit(in, source);
            }
        } catch (ModelFileException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ModelFileException(source, Reason.UNREADABLE, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new ModelFileException(source, Reason.UNREADABLE, "permission denied", e);
        } catch (IOException e) {
            throw new ModelFileException(source, Reason.UNREADABLE, "cannot be read: " + e, e);
        }
        return ModelFileDecoder.decode(contents, source);
    }

    /**
     * Loads a model file from a stream, reading it to its end (the stream is left open).
     *
     * @param sourceName names the stream in error messages, e.g. a file name or URL
     * @throws ModelFileException if the stream fails or does not hold a valid model file
     */
    public static ModelFile read(InputStream in, String sourceName) throws ModelFileException {
        byte[] contents;
        try {
            contents = readAtMostLimit(in, sourceName);
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFileException(sourceName, Reason.UNREADABLE, "cannot be read: " + e, e);
        }
        return ModelFileDecoder.decode(contents, sourceName);
    }

    /**
     * Loads a model file from its complete contents.
     *
     * @param sourceName names the contents in error messages
     * @throws ModelFileException if the bytes are not a valid model file
     */
    public static ModelFile fromBytes(byte[] contents, String sourceName) throws ModelFileException {
        return ModelFileDecoder.decode(contents, sourceName);
    }

    /** Reads to the end of the stream, but never more than the format's limit plus one byte. */
    private static byte[] readAtMostLimit(InputStream in, String source) throws IOException {
        byte[] contents = in.readNBytes(ModelFileFormat.MAX_FILE_BYTES + 1);
        if (contents.length > ModelFileFormat.MAX_FILE_BYTES) {
            throw new ModelFileException(source, Reason.TOO_LARGE, "the stream holds more than "
                    + ModelFileFormat.MAX_FILE_BYTES + " bytes, the limit for a model file");
        }
        return contents;
    }
}
