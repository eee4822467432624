package pinn.runtime.engine;

/** What produced a result: the network on the GPU or on the CPU, or the analytic formula. */
public enum Engine {
    /** The trained network, evaluated through cuBLAS on a CUDA device. */
    PINN_CUDA("pinn-cuda"),
    /** The trained network, evaluated by the Vector API kernels on the CPU. */
    PINN_CPU("pinn-cpu"),
    /** The closed-form Black-Scholes formula: the last resort, exact but not the network. */
    ANALYTIC("analytic");

    private final String label;

    Engine(String label) {
        this.label = label;
    }

    /** The name clients and metrics see: {@code pinn-cuda}, {@code pinn-cpu} or {@code analytic}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
