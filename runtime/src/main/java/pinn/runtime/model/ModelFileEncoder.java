package pinn.runtime.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/** Writes a {@link ModelFile} in the layout the package description documents. */
final class ModelFileEncoder {

    private ModelFileEncoder() {}

    /** The size of the encoded file in bytes, checksum included; a long so that it cannot overflow. */
    static long encodedSize(Architecture architecture, List<InputFeature> features, TrainingMetadata metadata,
                            List<LayerWeights> layers) {
        long size = ModelFileFormat.HEADER_BYTES;
        size += Integer.BYTES + (long) Integer.BYTES * architecture.layerSizes().size()
                + string(architecture.activation());
        size += Integer.BYTES;
        for (InputFeature feature : features) size += string(feature.name()) + 2L * Double.BYTES;
        size += 8L * Double.BYTES;
        size += string(metadata.commandLine()) + 2L * Long.BYTES + Integer.BYTES;
        for (String name : metadata.finalLosses().keySet()) size += string(name) + Double.BYTES;
        size += Long.BYTES + Integer.BYTES + string(metadata.notes());
        size += Integer.BYTES;
        for (LayerWeights layer : layers) size += 2L * Integer.BYTES + (long) Double.BYTES * layer.parameterCount();
        return size + ModelFileFormat.CHECKSUM_BYTES;
    }

    private static long string(String text) {
        return Integer.BYTES + ModelFileFormat.checkedUtf8Length(text, "text", Integer.MAX_VALUE);
    }

    static byte[] encode(ModelFile model) {
        long size = encodedSize(model.architecture(), model.inputFeatures(), model.metadata(), model.layerWeights());
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);

        out.put(ModelFileFormat.MAGIC).putInt(ModelFileFormat.VERSION);

        Architecture architecture = model.architecture();
        out.putInt(architecture.layerSizes().size());
        for (int layerSize : architecture.layerSizes()) out.putInt(layerSize);
        putString(out, architecture.activation());

        out.putInt(model.inputFeatures().size());
        for (InputFeature feature : model.inputFeatures()) {
            putString(out, feature.name());
            out.putDouble(feature.shift()).putDouble(feature.scale());
        }

        Domain domain = model.domain();
        out.putDouble(domain.minMoneyness()).putDouble(domain.maxMoneyness())
                .putDouble(domain.minExpiry()).putDouble(domain.maxExpiry())
                .putDouble(domain.minVol()).putDouble(domain.maxVol())
                .putDouble(domain.minRate()).putDouble(domain.maxRate());

        TrainingMetadata metadata = model.metadata();
        putString(out, metadata.commandLine());
        out.putLong(metadata.seed()).putLong(metadata.steps());
        out.putInt(metadata.finalLosses().size());
        for (Map.Entry<String, Double> loss : metadata.finalLosses().entrySet()) {
            putString(out, loss.getKey());
            out.putDouble(loss.getValue());
        }
        out.putLong(metadata.trainedAt().getEpochSecond()).putInt(metadata.trainedAt().getNano());
        putString(out, metadata.notes());

        out.putInt(model.layerWeights().size());
        for (LayerWeights layer : model.layerWeights()) {
            out.putInt(layer.inputs()).putInt(layer.outputs());
            putDoubles(out, layer.weights());
            putDoubles(out, layer.bias());
        }

        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        assert !out.hasRemaining() : "encodedSize disagrees with encode";
        return out.array();
    }

    private static void putString(ByteBuffer out, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.putInt(utf8.length).put(utf8);
    }

    private static void putDoubles(ByteBuffer out, double[] values) {
        out.asDoubleBuffer().put(values);
        out.position(out.position() + values.length * Double.BYTES);
    }
}
