package pinn.runtime.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinn.runtime.model.ModelFileException.Reason;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Files damaged after writing (cut short, bits flipped) or that were never model files are refused clearly. */
class ModelFileDamageTest {

    /** A small but complete model: three weight layers, features, losses, notes. */
    private static final byte[] SMALL = RandomModels.model(List.of(2, 3, 2, 1), 11).toBytes();

    @Test
    void everyTruncationIsRefusedAsTruncated() {
        for (int length = 1; length < SMALL.length; length++) {
            ModelFileException e = refused(Arrays.copyOf(SMALL, length));
            assertEquals(Reason.TRUNCATED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().startsWith("model.pinn: truncated while reading "), e.getMessage());
        }
    }

    @Test
    void aTruncationSaysWhichFieldWasCut() {
        ModelFile model = RandomModels.model(List.of(2, 3, 2, 1), 11);
        int biasOfLayer3At = SMALL.length - 4 - Double.BYTES; // layer 3 (2→1) ends with its single bias
        ModelFileException e = refused(Arrays.copyOf(SMALL, biasOfLayer3At + 3));
        assertEquals(3, model.layerWeights().size());
        assertTrue(e.getMessage().startsWith("model.pinn: truncated while reading layer 3 bias (needs 8 bytes"),
                e.getMessage());

        ModelFileException checksumCut = refused(Arrays.copyOf(SMALL, SMALL.length - 1));
        assertTrue(checksumCut.getMessage().startsWith("model.pinn: truncated while reading the checksum"),
                checksumCut.getMessage());
    }

    @Test
    void anEmptyFileIsNotAModelFile() {
        ModelFileException e = refused(new byte[0]);
        assertEquals(Reason.NOT_A_MODEL_FILE, e.reason());
        assertEquals("model.pinn: the file is empty (0 bytes), not a model file", e.getMessage());
    }

    @Test
    void everySingleBitFlipIsRefused() {
        Set<Reason> damage = EnumSet.of(Reason.CORRUPTED, Reason.TRUNCATED);
        int reportedAsChecksumMismatch = 0;
        for (int bit = 0; bit < SMALL.length * 8; bit++) {
            byte[] flipped = SMALL.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            ModelFileException e = refused(flipped);
            if (bit / 8 < 8) {
                assertEquals(Reason.NOT_A_MODEL_FILE, e.reason(), "bit " + bit + ": " + e.getMessage());
            } else {
                assertTrue(damage.contains(e.reason()), "bit " + bit + ": " + e.getMessage());
            }
            if (e.getMessage().contains("checksum mismatch")) reportedAsChecksumMismatch++;
        }
        // Flips in the magic say "not a model file", a few in length fields make the reader run out
        // of bytes; all others name the checksum.
        assertTrue(reportedAsChecksumMismatch > SMALL.length * 8 * 8 / 10, "checksum named " + reportedAsChecksumMismatch);
    }

    @Test
    void aChangedWeightIsReportedAsAChecksumMismatch() {
        byte[] damaged = SMALL.clone();
        damaged[SMALL.length - 20] ^= 0x10;
        ModelFileException e = refused(damaged);
        assertEquals(Reason.CORRUPTED, e.reason());
        assertTrue(Pattern.matches("model\\.pinn: checksum mismatch \\(file says [0-9a-f]{8}, contents give [0-9a-f]{8}\\):"
                + " the file is corrupted", e.getMessage()), e.getMessage());
    }

    @Test
    void bytesAppendedAfterTheChecksumAreRefused() {
        byte[] longer = Arrays.copyOf(SMALL, SMALL.length + 3);
        ModelFileException e = refused(longer);
        assertEquals(Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains("3 unexpected bytes after the checksum"), e.getMessage());
    }

    @Test
    void foreignFilesAreNotModelFiles() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        assertEquals("model.pinn: not a model file: it starts with 89 50 4e 47 0d 0a 1a 0a,"
                + " a model file starts with \"PINNMODL\"", refused(png).getMessage());

        byte[] text = "{\"layers\": [4, 64, 1], \"activation\": \"tanh\"}\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("model.pinn: not a model file: it starts with 7b 22 6c 61 79 65 72 73 (\"{\"layers\"), a model"
                + " file starts with \"PINNMODL\"", refused(text).getMessage());

        byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0};
        assertEquals(Reason.NOT_A_MODEL_FILE, refused(zip).reason());
        assertEquals(Reason.NOT_A_MODEL_FILE, refused(new byte[]{'P', 'I', 'N', 'X'}).reason());
    }

    @Test
    void aNewerFormatVersionIsRefusedNamingBothVersions() {
        byte[] newer = HandMadeModelFile.validFile();
        ByteBuffer.wrap(newer).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        ModelFileException e = refused(HandMadeModelFile.resealed(newer));
        assertEquals(Reason.UNSUPPORTED_VERSION, e.reason());
        assertEquals("model.pinn: the file has format version 2, but this reader supports version 1 only:"
                + " load it with a newer PINN runtime", e.getMessage());
    }

    @Test
    void aNewerVersionWhoseChecksumFailsIsReportedAsCorrupted() {
        byte[] damaged = HandMadeModelFile.validFile();
        damaged[8 + 3] ^= 0x40; // version 1 becomes 0x40000001
        ModelFileException e = refused(damaged);
        assertEquals(Reason.CORRUPTED, e.reason());
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("format version 1073741825"),
                e.getMessage());
    }

    @Test
    void aMissingFileIsUnreadableAndNamed(@TempDir Path directory) {
        Path missing = directory.resolve("missing.pinn");
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.read(missing));
        assertEquals(Reason.UNREADABLE, e.reason());
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void aDamagedFileOnDiskIsNamedByItsPath(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("model.pinn");
        Files.write(file, Arrays.copyOf(SMALL, 100));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.read(file));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().startsWith(file + ": truncated while reading "), e.getMessage());
        assertEquals(file.toString(), e.sourceName());
    }

    @Test
    void aFailingStreamIsUnreadable() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.read(failing, "s3://models/a.pinn"));
        assertEquals(Reason.UNREADABLE, e.reason());
        assertTrue(e.getMessage().startsWith("s3://models/a.pinn: cannot be read: "), e.getMessage());
    }

    /** Reads {@code bytes} as "model.pinn", which must fail with a ModelFileException and nothing else. */
    static ModelFileException refused(byte[] bytes) {
        try {
            ModelFile model = ModelFile.fromBytes(bytes, "model.pinn");
            return fail("accepted a bad file of " + bytes.length + " bytes: " + model.architecture());
        } catch (ModelFileException e) {
            return e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("a bad file of " + bytes.length + " bytes threw " + e + " instead of a ModelFileException", e);
        }
    }
}
