package pinn.runtime.model;

import org.junit.jupiter.api.Test;
import pinn.runtime.model.ModelFileException.Reason;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static pinn.runtime.model.HandMadeModelFile.validUpToWeights;

/**
 * Files with a valid checksum whose contents break the rules, as a buggy writer or an attacker
 * would make them: every one is refused as invalid, with a message that says what is wrong, and
 * without allocating more than the file's own size.
 */
class ModelFileHostileTest {

    private static final int INT_MAX = Integer.MAX_VALUE;

    @Test
    void theHandMadeValidFileIsAccepted() throws ModelFileException {
        assertEquals(HandMadeModelFile.validModel(), ModelFile.fromBytes(HandMadeModelFile.validFile(), "model.pinn"));
    }

    @Test
    void hugeLengthsAndCountsAreRefusedWithoutAllocating() {
        assertRefusedCheaply("the activation name length is 2147483647, outside the allowed 0..1024",
                () -> new HandMadeModelFile().header(1).i32(2).i32(2).i32(1).i32(INT_MAX).sealed());
        assertRefusedCheaply("the number of layer sizes is 2147483647, outside the allowed 2..1024",
                () -> new HandMadeModelFile().header(1).i32(INT_MAX).sealed());
        assertRefusedCheaply("the number of layer sizes is -1, outside the allowed 2..1024",
                () -> new HandMadeModelFile().header(1).i32(-1).sealed());
        assertRefusedCheaply("layer size 1 is 2147483647, outside the allowed 1..65536",
                () -> new HandMadeModelFile().header(1).i32(2).i32(2).i32(INT_MAX).sealed());
        assertRefusedCheaply("the number of input features is -2147483648, outside the allowed 0..65536",
                () -> new HandMadeModelFile().header(1).architecture("tanh", 2, 1).i32(Integer.MIN_VALUE).sealed());
        assertRefusedCheaply("the training command line length is 2147483647, outside the allowed 0..1048576",
                () -> new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .i32(INT_MAX).sealed());
        assertRefusedCheaply("the number of final losses is 2147483647, outside the allowed 0..1024",
                () -> new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .str("cmd").i64(1).i64(1).i32(INT_MAX).sealed());
        assertRefusedCheaply("the number of weight layers is 2147483647, outside the allowed 1..1023",
                () -> validUpToWeights().i32(INT_MAX).sealed());
    }

    @Test
    void aLengthWithinItsLimitButBeyondTheFileIsRefusedWithoutAllocating() {
        assertRefusedCheaply("malformed: the training command line needs 1048576 bytes at offset",
                () -> new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .i32(1 << 20).str("rest").sealed());
    }

    @Test
    void theWidestArchitectureIsRefusedBeforeItsWeightsAreAllocated() {
        // Layer 2's 65536 × 65536 float64 weights would be 32 GiB; the file holds 1 MiB of layer 1.
        int wide = ModelFileFormat.MAX_LAYER_WIDTH;
        assertRefusedCheaply("malformed: layer 2 weights needs 34359738368 bytes at offset",
                () -> new HandMadeModelFile().header(1).architecture("tanh", 1, wide, wide).features("x").domain()
                        .metadata().i32(2).layer(1, wide, 0.5, 0.25).i32(wide).i32(wide).f64(1).sealed());
    }

    @Test
    void featureCountMustMatchTheInputs() {
        assertInvalid("the file lists 1 input features but the architecture (2→1 tanh) has 2 inputs",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x").domain().metadata()
                        .i32(1).layer(2, 1, 0.5, 0.25).sealed());
    }

    @Test
    void layerCountMustMatchTheArchitecture() {
        assertInvalid("the file holds 2 weight layers but the architecture (2→1 tanh) has 1",
                validUpToWeights().i32(2).layer(2, 1, 0.5, 0.25).layer(1, 1, 0.5, 0.25).sealed());
    }

    @Test
    void layerShapesMustMatchTheArchitecture() {
        assertInvalid("layer 1 is stored as 1×2 (inputs×outputs) but the architecture (2→1 tanh) says 2×1",
                validUpToWeights().i32(1).layer(1, 2, 0.5, 0.25).sealed());
    }

    @Test
    void weightsMustBeFinite() {
        assertInvalid("layer 1: weight (1, 0) (input 1 to output 0) is NaN",
                validUpToWeights().i32(1).i32(2).i32(1).f64(0.5).f64(Double.NaN).f64(0.25).sealed());
        assertInvalid("layer 1: bias 0 is Infinity",
                validUpToWeights().i32(1).layer(2, 1, 0.5, Double.POSITIVE_INFINITY).sealed());
    }

    @Test
    void extraBytesBeforeTheChecksumAreRefused() {
        assertInvalid("5 unexpected bytes between the last layer and the checksum",
                validUpToWeights().i32(1).layer(2, 1, 0.5, 0.25).bytes(new byte[5]).sealed());
    }

    @Test
    void versionZeroIsRefused() {
        byte[] file = HandMadeModelFile.validFile();
        file[8] = 0;
        assertInvalid("format version 0 is not one this reader knows (it reads version 1)", HandMadeModelFile.resealed(file));
    }

    @Test
    void fieldValuesAreChecked() {
        assertInvalid("the domain: moneyness bounds are reversed: min 2.0 > max 0.5",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y")
                        .f64(2.0).f64(0.5).f64(0).f64(1).f64(0.1).f64(0.5).f64(0).f64(0.1).metadata()
                        .i32(1).layer(2, 1, 0.5, 0.25).sealed());
        assertInvalid("input feature 0 (x): scale must be finite and non-zero, was 0.0",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).i32(2).str("x").f64(0).f64(0)
                        .str("y").f64(0).f64(1).domain().metadata().i32(1).layer(2, 1, 0.5, 0.25).sealed());
        assertInvalid("the architecture: activation name must not be empty",
                new HandMadeModelFile().header(1).architecture("", 2, 1).sealed());
        assertInvalid("final loss \"a\" appears twice",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .str("cmd").i64(1).i64(1).i32(2).str("a").f64(1).str("a").f64(2).sealed());
        assertInvalid("the training time has 1000000000 nanoseconds, outside 0..999999999",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .str("cmd").i64(1).i64(1).i32(0).i64(0).i32(1_000_000_000).sealed());
        assertInvalid("the training time, 9223372036854775807 s after the epoch, is out of range",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .str("cmd").i64(1).i64(1).i32(0).i64(Long.MAX_VALUE).i32(0).sealed());
        assertInvalid("the training metadata: steps must be >= 0, was -5",
                new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain()
                        .str("cmd").i64(1).i64(-5).i32(0).i64(0).i32(0).str("").i32(1).layer(2, 1, 0.5, 0.25).sealed());
    }

    @Test
    void malformedUtf8IsRefused() {
        // 0xC0 0xAF is an overlong encoding of '/', and 0xED 0xA0 0x80 an encoded surrogate: both are forbidden.
        assertInvalid("input feature 0 name: not valid UTF-8",
                new HandMadeModelFile().header(1).architecture("tanh", 1, 1).i32(1).i32(2).bytes(new byte[]{(byte) 0xC0, (byte) 0xAF})
                        .sealed());
        assertInvalid("the activation name: not valid UTF-8",
                new HandMadeModelFile().header(1).i32(2).i32(1).i32(1).i32(3)
                        .bytes(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}).sealed());
    }

    @Test
    void randomlyRewrittenFilesWithValidChecksumsFailOnlyWithModelFileExceptions() {
        byte[] valid = RandomModels.model(java.util.List.of(2, 3, 2, 1), 11).toBytes();
        qt().withExamples(3000)
                .forAll(longs().all(), integers().between(1, 8))
                .checkAssert((seed, changes) -> {
                    var rng = new java.util.SplittableRandom(seed);
                    byte[] file = valid.clone();
                    for (int i = 0; i < changes; i++) {
                        // Past the header, so that the body is what gets exercised; small values
                        // are likelier to pass range checks and reach deeper fields.
                        int at = rng.nextInt(12, file.length - 4);
                        file[at] = (byte) (rng.nextBoolean() ? rng.nextInt(256) : rng.nextInt(-2, 3));
                    }
                    file = HandMadeModelFile.resealed(file);
                    try {
                        ModelFile.fromBytes(file, "model.pinn");
                    } catch (ModelFileException e) {
                        assertEquals(Reason.INVALID, e.reason(), e.getMessage());
                    } catch (RuntimeException | Error e) {
                        throw new AssertionError("threw " + e + " instead of a ModelFileException", e);
                    }
                });
    }

    private static void assertInvalid(String problem, byte[] file) {
        ModelFileException e = ModelFileDamageTest.refused(file);
        assertEquals(Reason.INVALID, e.reason(), e.getMessage());
        assertEquals("model.pinn: " + problem, e.getMessage());
    }

    /**
     * The file is refused as invalid with a message that starts with {@code problem}, and reading
     * it allocates less than three times the file's size plus 1 MiB (what the reader legitimately
     * holds: the layers read so far, and their defensive copies).
     */
    private static void assertRefusedCheaply(String problem, Supplier<byte[]> fileMaker) {
        byte[] file = fileMaker.get();
        ModelFileDamageTest.refused(file); // warm up, so that class loading is not counted
        long before = allocatedBytes();
        ModelFileException e = ModelFileDamageTest.refused(file);
        long allocated = allocatedBytes() - before;
        assertEquals(Reason.INVALID, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("model.pinn: " + problem), e.getMessage());
        assertTrue(allocated < 3L * file.length + (1 << 20), "reading allocated " + allocated + " bytes: " + e.getMessage());
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
