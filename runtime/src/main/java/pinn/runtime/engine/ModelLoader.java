package pinn.runtime.engine;

import pinn.runtime.model.ModelFile;

/** Makes the model a {@link ModelSpec} describes: reads it from somewhere, or trains it. May take minutes. */
@FunctionalInterface
public interface ModelLoader {

    /** The model for {@code spec}; throws if it cannot be had. */
    ModelFile load(ModelSpec spec) throws Exception;
}
