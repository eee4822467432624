package pinn.runtime.engine;

/** Why a result was not produced by the first engine of the chain. */
public enum FallbackReason {
    /** It was: no fallback. */
    NONE("none"),
    /** The option lies outside the model's domain, where the network is not trusted. */
    OUTSIDE_DOMAIN("outside-domain"),
    /** The network's result failed the PDE self-check and was replaced by the analytic one. */
    SELF_CHECK("self-check"),
    /** An engine earlier in the chain failed on this option's batch, which the next engine re-priced. */
    ENGINE_FAILED("engine-failed"),
    /** The requested model is still loading (or failed to load); the analytic engine serves meanwhile. */
    MODEL_UNAVAILABLE("model-unavailable");

    private final String label;

    FallbackReason(String label) {
        this.label = label;
    }

    /** The name clients and metrics see, e.g. {@code outside-domain}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
