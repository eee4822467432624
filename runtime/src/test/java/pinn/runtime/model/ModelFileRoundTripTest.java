package pinn.runtime.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/** What is written is what is read back, bit for bit, in the documented layout. */
class ModelFileRoundTripTest {

    @Test
    void anyValidModelReadsBackBitForBit() {
        qt().withExamples(300)
                .forAll(lists().of(integers().between(1, 12)).ofSizeBetween(2, 6), longs().all())
                .checkAssert((layerSizes, seed) -> {
                    ModelFile written = RandomModels.model(layerSizes, seed);
                    byte[] bytes = written.toBytes();
                    ModelFile read = readBack(bytes);

                    assertEquals(written, read);
                    assertSameBits(written, read);
                    assertEquals(List.copyOf(written.metadata().finalLosses().keySet()),
                            List.copyOf(read.metadata().finalLosses().keySet()), "loss order");
                    assertArrayEquals(bytes, read.toBytes(), "writing what was read gives the same bytes");
                });
    }

    @Test
    void writesTheDocumentedLayout() {
        assertArrayEquals(HandMadeModelFile.validFile(), HandMadeModelFile.validModel().toBytes());
    }

    @Test
    void startsWithMagicAndVersionAndEndsWithTheCrc32cOfTheRest() {
        byte[] bytes = HandMadeModelFile.validModel().toBytes();
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("PINNMODL", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, buffer.getInt(8));
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertEquals((int) crc.getValue(), buffer.getInt(bytes.length - 4));
    }

    @Test
    void aProductionSizedNetworkTakesAbout103KB() throws Exception {
        ModelFile model = RandomModels.model(List.of(4, 64, 64, 64, 64, 1), 7);
        assertEquals(12_865, model.parameterCount());
        byte[] bytes = model.toBytes();
        assertEquals(true, bytes.length > 12_865 * 8 && bytes.length < 104_000, "size " + bytes.length);
        assertEquals(model, readBack(bytes));
    }

    @Test
    void roundTripsThroughAFileAndReplacesAnOlderOne(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("model.pinn");
        ModelFile older = RandomModels.model(List.of(3, 5, 1), 1);
        ModelFile newer = RandomModels.model(List.of(4, 8, 8, 1), 2);
        older.write(file);
        newer.write(file);

        assertEquals(newer, ModelFile.read(file));
        try (var entries = Files.list(directory)) {
            assertEquals(List.of(file), entries.toList(), "no temporary files are left behind");
        }
    }

    @Test
    void roundTripsThroughStreams() throws Exception {
        ModelFile model = RandomModels.model(List.of(2, 3, 3, 2), 3);
        var out = new ByteArrayOutputStream();
        model.write(out);
        assertEquals(model, ModelFile.read(new ByteArrayInputStream(out.toByteArray()), "in-memory"));
    }

    @Test
    void keepsUnicodeTextAndNonFiniteLossesExactly() throws Exception {
        double oddNaN = Double.longBitsToDouble(0x7ff8_dead_beef_0001L);
        var metadata = new TrainingMetadata("pinn train --σ 0.2 --τ 1 \uD835\uDF0E", -1, 0,
                HandMadeModelFile.orderedLosses("z-last", 3.0, "a-first", oddNaN, "inf", Double.NEGATIVE_INFINITY),
                Instant.parse("1969-12-31T23:59:59.999999999Z"), "multi\nline\0notes €");
        ModelFile model = new ModelFile(Architecture.of("tanh", 1, 1), List.of(new InputFeature("√τ", -0.0, -2.5)),
                HandMadeModelFile.DOMAIN, metadata, List.of(new LayerWeights(1, 1, new double[]{-0.0}, new double[]{0.0})));

        ModelFile read = readBack(model.toBytes());

        assertEquals(model, read);
        assertEquals(List.of("z-last", "a-first", "inf"), List.copyOf(read.metadata().finalLosses().keySet()));
        assertEquals(Double.doubleToRawLongBits(oddNaN),
                Double.doubleToRawLongBits(read.metadata().finalLosses().get("a-first")), "NaN payload");
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(read.layerWeights().getFirst().weight(0, 0)));
    }

    private static ModelFile readBack(byte[] bytes) {
        try {
            return ModelFile.fromBytes(bytes, "round-trip.pinn");
        } catch (ModelFileException e) {
            throw new AssertionError(e);
        }
    }

    /** Record equality compares doubles by value classes; here every stored double is compared by its bits. */
    private static void assertSameBits(ModelFile expected, ModelFile actual) {
        assertArrayEquals(bits(expected), bits(actual));
    }

    private static long[] bits(ModelFile model) {
        List<Double> values = new ArrayList<>();
        for (InputFeature feature : model.inputFeatures()) {
            values.add(feature.shift());
            values.add(feature.scale());
        }
        Domain d = model.domain();
        values.addAll(List.of(d.minMoneyness(), d.maxMoneyness(), d.minExpiry(), d.maxExpiry(),
                d.minVol(), d.maxVol(), d.minRate(), d.maxRate()));
        for (Map.Entry<String, Double> loss : model.metadata().finalLosses().entrySet()) values.add(loss.getValue());
        for (LayerWeights layer : model.layerWeights()) {
            for (double w : layer.weights()) values.add(w);
            for (double b : layer.bias()) values.add(b);
        }
        return values.stream().mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
