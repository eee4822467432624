package pinn.runtime;

import java.io.IOException;
import java.io.InputStream;
import pinn.kernels.Backend;
import pinn.runtime.model.ModelFile;

/**
 * The model that ships in the runtime's resources, so the runtime prices out of the box. It was
 * trained by {@code ./pinn train} with the command recorded in its own metadata (and in the README).
 */
public final class DefaultModel {

    /** Where the model sits on the class path. */
    public static final String RESOURCE = "/pinn/runtime/default-model.pinn";

    private DefaultModel() {}

    /** The default model file, read and checked. */
    public static ModelFile file() throws IOException {
        try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("the default model " + RESOURCE + " is missing from the class path");
            return ModelFile.read(in, "default model");
        }
    }

    /** The default model as a network whose parameters live in a new arena on {@code backend}. */
    public static PricingNetwork open(Backend backend) throws IOException {
        return PricingNetwork.fromModelFile(backend, file());
    }
}
