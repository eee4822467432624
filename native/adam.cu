// One Adam step (Kingma and Ba) over n parameters, in place, float64.
//
// The same expressions as ReferenceBackend.adam in the same order. The bias corrections
// 1 − β1^step and 1 − β2^step arrive computed by the host (Math.pow), so they match exactly.
#include "common.cuh"

extern "C" {

__global__ void pinn_adam(long long n, double *params, const double *grads, double *firstMoment, double *secondMoment,
                          double learningRate, double beta1, double beta2, double epsilon,
                          double correction1, double correction2) {
    PINN_FOR_EACH(i, n) {
        double g = grads[i];
        double m = beta1 * firstMoment[i] + (1.0 - beta1) * g;
        double v = beta2 * secondMoment[i] + (1.0 - beta2) * g * g;
        firstMoment[i] = m;
        secondMoment[i] = v;
        double mHat = m / correction1;
        double vHat = v / correction2;
        params[i] = params[i] - learningRate * mHat / (sqrt(vHat) + epsilon);
    }
}

}  // extern "C"
