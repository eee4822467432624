// Jet rules: tanh carried on a Taylor jet stacked as row blocks, and its vector-Jacobian product,
// float64 (Backend.tanhJet and Backend.tanhJetBackward).
//
// A jet along d directions is d + 2 blocks of n values, one after the other: the value z, the
// tangents a_1 … a_d, and the second derivative c along the first direction. One thread per value
// index i does every block of that index, so a layer's whole jet costs one launch instead of a
// dozen. The formulas are ReferenceBackend's, with the same operations in the same order (and
// -fmad=false), so the results are bit for bit the reference's except through tanh itself.
// `out` must not overlap the inputs (the seam's contract for these two ops).
#include "common.cuh"

extern "C" {

// out = t, d1·a_1, …, d1·a_d, d1·c + d2·a_1²  with t = tanh z, d1 = 1 − t², d2 = (t·−2)·d1.
__global__ void pinn_tanh_jet(long long n, long long directions, const double *z, double *out) {
    long long second = (directions + 1) * n;
    PINN_FOR_EACH(i, n) {
        double t = tanh(z[i]);
        double d1 = 1.0 - t * t;
        double d2 = t * -2.0 * d1;
        out[i] = t;
        for (long long k = 1; k <= directions; k++) out[k * n + i] = d1 * z[k * n + i];
        double a1 = z[n + i];
        out[second + i] = d1 * z[second + i] + d2 * (a1 * a1);
    }
}

// out = gᵀ·∂y/∂z for y = tanhJet(z), with t the value block of y:
//   out_0 = g_0·d1 + Σ_k (g_k·a_k)·d2 + g_c·(c·d2 + (a_1·a_1)·d3)   (added in this order)
//   out_1 = g_1·d1 + ((g_c·a_1)·d2)·2,   out_k = g_k·d1 (k ≥ 2),   out_c = g_c·d1
// with d1 = 1 − t², d2 = (t·−2)·d1, d3 = (d1·−2)·(1 − (t·3)·t).
__global__ void pinn_tanh_jet_backward(long long n, long long directions, const double *z, const double *y, const double *g,
                                       double *out) {
    long long second = (directions + 1) * n;
    PINN_FOR_EACH(i, n) {
        double t = y[i];
        double d1 = 1.0 - t * t;
        double d2 = t * -2.0 * d1;
        double d3 = d1 * -2.0 * (1.0 - t * 3.0 * t);
        double a1 = z[n + i], c = z[second + i], gc = g[second + i];
        double sum = g[i] * d1;
        for (long long k = 1; k <= directions; k++) sum = sum + g[k * n + i] * z[k * n + i] * d2;
        sum = sum + gc * (c * d2 + a1 * a1 * d3);
        out[i] = sum;
        out[n + i] = g[n + i] * d1 + gc * a1 * d2 * 2.0;
        for (long long k = 2; k <= directions; k++) out[k * n + i] = g[k * n + i] * d1;
        out[second + i] = gc * d1;
    }
}

}  // extern "C"
