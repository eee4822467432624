package pinn.kernels.cuda;

import static pinn.kernels.cuda.Kernel.Param.COUNT;
import static pinn.kernels.cuda.Kernel.Param.POINTER;
import static pinn.kernels.cuda.Kernel.Param.REAL;

import java.util.List;

/**
 * The kernels of native/*.cu as the backend launches them: the PTX module (one per source file),
 * the entry name, and the parameters, each 8 bytes (sizes as {@code long long}, scalars as
 * {@code double}, arrays as device pointers). {@code PtxModuleTest} checks this table against
 * the committed PTX, so a kernel whose signature changed in the source cannot be launched with
 * the old arguments.
 */
enum Kernel {
    ADD("elementwise", "pinn_add", COUNT, POINTER, POINTER, POINTER),
    SUB("elementwise", "pinn_sub", COUNT, POINTER, POINTER, POINTER),
    MUL("elementwise", "pinn_mul", COUNT, POINTER, POINTER, POINTER),
    DIV("elementwise", "pinn_div", COUNT, POINTER, POINTER, POINTER),
    MUL_ADD("elementwise", "pinn_mul_add", COUNT, POINTER, POINTER, POINTER, POINTER),
    SCALE("elementwise", "pinn_scale", COUNT, REAL, POINTER, POINTER),
    ADD_SCALAR("elementwise", "pinn_add_scalar", COUNT, REAL, POINTER, POINTER),
    SQUARE("elementwise", "pinn_square", COUNT, POINTER, POINTER),
    EXP("elementwise", "pinn_exp", COUNT, POINTER, POINTER),
    LOG("elementwise", "pinn_log", COUNT, POINTER, POINTER),
    TANH("elementwise", "pinn_tanh", COUNT, POINTER, POINTER),
    TANH_DERIVATIVE_1("elementwise", "pinn_tanh_derivative_1", COUNT, POINTER, POINTER),
    TANH_DERIVATIVE_2("elementwise", "pinn_tanh_derivative_2", COUNT, POINTER, POINTER),
    TANH_DERIVATIVE_3("elementwise", "pinn_tanh_derivative_3", COUNT, POINTER, POINTER),
    FILL("elementwise", "pinn_fill", COUNT, REAL, POINTER),
    COPY("elementwise", "pinn_copy", COUNT, POINTER, POINTER),
    ADD_ROW_VECTOR("elementwise", "pinn_add_row_vector", COUNT, COUNT, POINTER, POINTER, POINTER),
    COLUMN_SUMS("reductions", "pinn_column_sums", COUNT, COUNT, COUNT, POINTER, POINTER),
    ROW_SUMS("reductions", "pinn_row_sums", COUNT, COUNT, COUNT, POINTER, POINTER),
    ADAM("adam", "pinn_adam", COUNT, POINTER, POINTER, POINTER, POINTER, REAL, REAL, REAL, REAL, REAL, REAL),
    TANH_JET("jets", "pinn_tanh_jet", COUNT, COUNT, POINTER, POINTER),
    TANH_JET_BACKWARD("jets", "pinn_tanh_jet_backward", COUNT, COUNT, POINTER, POINTER, POINTER, POINTER);

    /** A kernel parameter, with the PTX type nvcc gives it. */
    enum Param {
        /** A size or index, {@code long long}. */
        COUNT(".u64"),
        /** A scalar, {@code double}. */
        REAL(".f64"),
        /** An array in device (or managed) memory, {@code double *}. */
        POINTER(".u64");

        final String ptxType;

        Param(String ptxType) {
            this.ptxType = ptxType;
        }
    }

    /** The PTX modules, one per native/NAME.cu, loaded from /pinn/kernels/cuda/NAME.ptx. */
    static final List<String> MODULES = List.of("elementwise", "reductions", "adam", "jets");

    final String module;
    final String entry;
    final List<Param> params;

    Kernel(String module, String entry, Param... params) {
        this.module = module;
        this.entry = entry;
        this.params = List.of(params);
    }

    /** The derivative kernel of tanh of order 1, 2 or 3. */
    static Kernel tanhDerivative(int order) {
        return switch (order) {
            case 1 -> TANH_DERIVATIVE_1;
            case 2 -> TANH_DERIVATIVE_2;
            case 3 -> TANH_DERIVATIVE_3;
            default -> throw new IllegalArgumentException("tanh derivative order must be 1, 2 or 3, was " + order);
        };
    }
}
