package pinn.runtime;

import java.util.ArrayList;
import java.util.List;
import pinn.autodiff.Tensor;
import pinn.kernels.AdamConfig;

/**
 * The Adam optimiser for an {@link Mlp}: first and second moment buffers, one per parameter, held
 * in the model's arena (they live and die with the model), updated in place by the backend's
 * fused Adam kernel.
 */
public final class Adam {

    private final Mlp model;
    private final AdamConfig config;
    private final List<Tensor> parameters;
    private final List<Tensor> firstMoments = new ArrayList<>();
    private final List<Tensor> secondMoments = new ArrayList<>();
    private long steps;

    public Adam(Mlp model, AdamConfig config) {
        this.model = model;
        this.config = config;
        this.parameters = model.parameters();
        for (Tensor p : parameters) {
            firstMoments.add(model.allocate(p.rows(), p.cols()));
            secondMoments.add(model.allocate(p.rows(), p.cols()));
        }
    }

    public AdamConfig config() {
        return config;
    }

    /** The number of steps taken so far. */
    public long steps() {
        return steps;
    }

    /**
     * One step: moves every parameter along its gradient. {@code gradients} are in the order of
     * {@link Mlp#parameters()}, e.g. straight from {@code tape.grad(loss, model.parameters())}.
     */
    public void step(List<Tensor> gradients) {
        step(gradients, config.learningRate());
    }

    /** One step with the given learning rate instead of the configured one (for schedules). */
    public void step(List<Tensor> gradients, double learningRate) {
        AdamConfig stepConfig = learningRate == config.learningRate() ? config
                : new AdamConfig(learningRate, config.beta1(), config.beta2(), config.epsilon());
        if (gradients.size() != parameters.size()) {
            throw new IllegalArgumentException("expected " + parameters.size() + " gradients, got " + gradients.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (!gradients.get(i).shape().equals(parameters.get(i).shape())) {
                throw new IllegalArgumentException("gradient " + i + " has shape " + gradients.get(i).shape()
                        + ", its parameter " + parameters.get(i).shape());
            }
        }
        steps++;
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            model.backend().adam(p.size(), p.segment(), gradients.get(i).segment(), firstMoments.get(i).segment(),
                    secondMoments.get(i).segment(), stepConfig, steps);
        }
    }
}
