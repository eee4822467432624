// Shared by every kernel source in native/: included, never compiled on its own.
//
// Every kernel walks its index space with a grid-stride loop, so any grid (the backend caps the
// number of blocks) covers any size, and indices are 64-bit: a matrix may hold more than 2^31
// values. Sizes arrive as `long long` and pointers as `double *`: every parameter is 8 bytes,
// which is what pinn.kernels.cuda.Kernel marshals.
//
// Built with -fmad=false (native/build-ptx.sh): a*b + c is two roundings, as in Java, unless the
// source says fma(). That keeps the arithmetic bit for bit that of ReferenceBackend.
#pragma once

#define PINN_FOR_EACH(i, count)                                                   \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;         \
         i < (count);                                                             \
         i += (long long) blockDim.x * gridDim.x)
