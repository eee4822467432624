// Elementwise kernels of the Backend seam (kernels/src/main/java/pinn/kernels/Backend.java), float64.
//
// Each one mirrors ReferenceBackend's formula, with the same operations in the same order; with
// -fmad=false the results are bit for bit the reference's, except exp, log and tanh, where CUDA's
// double functions (1 to 2 ulp) and Java's Math functions (1 to 2.5 ulp) may differ by a few ulp.
// `out` may be the same array as an input (the seam allows in-place ops), so no __restrict__.
#include "common.cuh"

extern "C" {

__global__ void pinn_add(long long n, const double *x, const double *y, double *out) {
    PINN_FOR_EACH(i, n) out[i] = x[i] + y[i];
}

__global__ void pinn_sub(long long n, const double *x, const double *y, double *out) {
    PINN_FOR_EACH(i, n) out[i] = x[i] - y[i];
}

__global__ void pinn_mul(long long n, const double *x, const double *y, double *out) {
    PINN_FOR_EACH(i, n) out[i] = x[i] * y[i];
}

__global__ void pinn_div(long long n, const double *x, const double *y, double *out) {
    PINN_FOR_EACH(i, n) out[i] = x[i] / y[i];
}

// x·y + z with one rounding, as Math.fma.
__global__ void pinn_mul_add(long long n, const double *x, const double *y, const double *z, double *out) {
    PINN_FOR_EACH(i, n) out[i] = fma(x[i], y[i], z[i]);
}

__global__ void pinn_scale(long long n, double alpha, const double *x, double *out) {
    PINN_FOR_EACH(i, n) out[i] = alpha * x[i];
}

__global__ void pinn_add_scalar(long long n, double alpha, const double *x, double *out) {
    PINN_FOR_EACH(i, n) out[i] = x[i] + alpha;
}

__global__ void pinn_square(long long n, const double *x, double *out) {
    PINN_FOR_EACH(i, n) {
        double v = x[i];
        out[i] = v * v;
    }
}

__global__ void pinn_exp(long long n, const double *x, double *out) {
    PINN_FOR_EACH(i, n) out[i] = exp(x[i]);
}

__global__ void pinn_log(long long n, const double *x, double *out) {
    PINN_FOR_EACH(i, n) out[i] = log(x[i]);
}

__global__ void pinn_tanh(long long n, const double *x, double *out) {
    PINN_FOR_EACH(i, n) out[i] = tanh(x[i]);
}

// Derivatives of tanh from t = tanh(x): 1 − t², −2t(1 − t²), −2(1 − t²)(1 − 3t²), each written
// as ReferenceBackend.tanhDerivative writes it (left to right, no fused multiply-add).
__global__ void pinn_tanh_derivative_1(long long n, const double *t, double *out) {
    PINN_FOR_EACH(i, n) {
        double v = t[i];
        out[i] = 1.0 - v * v;
    }
}

__global__ void pinn_tanh_derivative_2(long long n, const double *t, double *out) {
    PINN_FOR_EACH(i, n) {
        double v = t[i];
        double d1 = 1.0 - v * v;
        out[i] = -2.0 * v * d1;
    }
}

__global__ void pinn_tanh_derivative_3(long long n, const double *t, double *out) {
    PINN_FOR_EACH(i, n) {
        double v = t[i];
        double d1 = 1.0 - v * v;
        out[i] = -2.0 * d1 * (1.0 - 3.0 * v * v);
    }
}

__global__ void pinn_fill(long long n, double value, double *out) {
    PINN_FOR_EACH(i, n) out[i] = value;
}

__global__ void pinn_copy(long long n, const double *x, double *out) {
    PINN_FOR_EACH(i, n) out[i] = x[i];
}

// out[r][c] = x[r][c] + v[c] over a row-major rows×cols matrix.
__global__ void pinn_add_row_vector(long long rows, long long cols, const double *x, const double *v, double *out) {
    PINN_FOR_EACH(i, rows * cols) out[i] = x[i] + v[i % cols];
}

}  // extern "C"
