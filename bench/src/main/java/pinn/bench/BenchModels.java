package pinn.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import pinn.runtime.DefaultModel;
import pinn.runtime.model.ModelFile;

/**
 * The trained models the benchmarks run on, by name: {@value #DEFAULT}, the model the runtime
 * ships (2 → 32×4 → 1), and {@value #WIDE}, the 2 → 64×4 → 1 model it shipped before, kept so that
 * numbers stay comparable with earlier runs and with the peers measured on a 4×64 network (ONNX
 * Runtime, PyTorch; see the guide). Both were trained by {@code ./pinn train} with the command in
 * their metadata and meet the same accuracy targets.
 */
final class BenchModels {

    static final String DEFAULT = "default";
    static final String WIDE = "64x4";
    private static final String WIDE_RESOURCE = "/pinn/bench/model-64x4.pinn";

    private BenchModels() {}

    static ModelFile file(String name) {
        try {
            return switch (name) {
                case DEFAULT -> DefaultModel.file();
                case WIDE -> {
                    try (InputStream in = BenchModels.class.getResourceAsStream(WIDE_RESOURCE)) {
                        if (in == null) throw new IOException(WIDE_RESOURCE + " is missing from the class path");
                        yield ModelFile.read(in, WIDE_RESOURCE);
                    }
                }
                default -> throw new IllegalArgumentException("unknown benchmark model '" + name + "': " + DEFAULT + " or " + WIDE);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
