package pinn.runtime.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Builds model file bytes field by field, following the layout table of the package description
 * and nothing else, so that tests can write files the real writer never would (wrong sizes, huge
 * lengths, NaN weights) and can check that the writer follows the documented layout.
 */
final class HandMadeModelFile {

    /** The values {@link #domain()} and {@link #metadata()} write, as records. */
    static final Domain DOMAIN = new Domain(0.5, 2.0, 0.0, 2.0, 0.05, 0.8, -0.01, 0.1);
    static final TrainingMetadata METADATA = new TrainingMetadata("pinn train --steps 10", 42, 10,
            orderedLosses("pde-residual", 1e-5, "terminal", 2e-6),
            Instant.parse("2025-01-02T03:04:05.123456789Z"), "σ from 5% to 80%");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic and version 1, architecture 2→1 tanh, features x and y, the standard domain and metadata. */
    static HandMadeModelFile validUpToWeights() {
        return new HandMadeModelFile().header(1).architecture("tanh", 2, 1).features("x", "y").domain().metadata();
    }

    /** A complete valid file: {@link #validUpToWeights()}, one 2×1 layer of weights 0.5 and bias 0.25. */
    static byte[] validFile() {
        return validUpToWeights().i32(1).layer(2, 1, 0.5, 0.25).sealed();
    }

    /** The model {@link #validFile()} holds. */
    static ModelFile validModel() {
        return new ModelFile(Architecture.of("tanh", 2, 1),
                List.of(new InputFeature("x", 0, 1), new InputFeature("y", 0, 1)), DOMAIN, METADATA,
                List.of(new LayerWeights(2, 1, new double[]{0.5, 0.5}, new double[]{0.25})));
    }

    static Map<String, Double> orderedLosses(Object... nameValuePairs) {
        var losses = new LinkedHashMap<String, Double>();
        for (int i = 0; i < nameValuePairs.length; i += 2) losses.put((String) nameValuePairs[i], (Double) nameValuePairs[i + 1]);
        return losses;
    }

    HandMadeModelFile header(int version) {
        return bytes("PINNMODL".getBytes(StandardCharsets.US_ASCII)).i32(version);
    }

    HandMadeModelFile architecture(String activation, int... sizes) {
        i32(sizes.length);
        for (int size : sizes) i32(size);
        return str(activation);
    }

    /** One feature per name, shift 0 and scale 1. */
    HandMadeModelFile features(String... names) {
        i32(names.length);
        for (String name : names) str(name).f64(0).f64(1);
        return this;
    }

    HandMadeModelFile domain() {
        return f64(DOMAIN.minMoneyness()).f64(DOMAIN.maxMoneyness()).f64(DOMAIN.minExpiry()).f64(DOMAIN.maxExpiry())
                .f64(DOMAIN.minVol()).f64(DOMAIN.maxVol()).f64(DOMAIN.minRate()).f64(DOMAIN.maxRate());
    }

    HandMadeModelFile metadata() {
        str(METADATA.commandLine()).i64(METADATA.seed()).i64(METADATA.steps()).i32(METADATA.finalLosses().size());
        METADATA.finalLosses().forEach((name, value) -> str(name).f64(value));
        return i64(METADATA.trainedAt().getEpochSecond()).i32(METADATA.trainedAt().getNano()).str(METADATA.notes());
    }

    /** A layer with every weight {@code weight} and every bias {@code bias}. */
    HandMadeModelFile layer(int inputs, int outputs, double weight, double bias) {
        i32(inputs).i32(outputs);
        for (int k = 0; k < inputs * outputs; k++) f64(weight);
        for (int j = 0; j < outputs; j++) f64(bias);
        return this;
    }

    HandMadeModelFile bytes(byte[] raw) {
        out.writeBytes(raw);
        return this;
    }

    HandMadeModelFile i32(int value) {
        return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    HandMadeModelFile i64(long value) {
        return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    HandMadeModelFile f64(double value) {
        return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
    }

    HandMadeModelFile str(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return i32(utf8.length).bytes(utf8);
    }

    /** The bytes so far, with no checksum. */
    byte[] unsealed() {
        return out.toByteArray();
    }

    /** The bytes so far followed by their CRC32C, as a writer would seal them. */
    byte[] sealed() {
        byte[] body = out.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).order(ByteOrder.LITTLE_ENDIAN)
                .put(body).putInt((int) crc.getValue()).array();
    }

    /** {@code file} with its last four bytes replaced by the CRC32C of the rest. */
    static byte[] resealed(byte[] file) {
        byte[] copy = file.clone();
        CRC32C crc = new CRC32C();
        crc.update(copy, 0, copy.length - 4);
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(copy.length - 4, (int) crc.getValue());
        return copy;
    }
}
