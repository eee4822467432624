package pinn.runtime.engine;

import java.util.List;
import pinn.runtime.model.Domain;
import pinn.runtime.model.ModelFile;
import pinn.runtime.model.TrainingMetadata;

/**
 * What a loaded model is: its name, layer sizes, the domain it is trusted on and how it was trained.
 *
 * @param name the model's name (its file name, or "default")
 * @param layerSizes the network's layer sizes, inputs first
 * @param domain where the network prices; outside it the analytic formula does
 * @param training the training record from the model file
 */
public record ModelInfo(String name, List<Integer> layerSizes, Domain domain, TrainingMetadata training) {

    static ModelInfo of(String name, ModelFile file) {
        return new ModelInfo(name, file.architecture().layerSizes(), file.domain(), file.metadata());
    }
}
