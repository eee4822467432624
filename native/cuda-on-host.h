// Compiles the kernels of native/*.cu as ordinary host C++, so that the CUDA C itself can run where
// there is no GPU: kernels' tests compile it with g++ and hand it to EmulatedCuda, which then runs
// these functions instead of its Java transcriptions (CudaBackendHostCompiledKernelsTest).
//
// This works because the kernels use nothing but grid-stride loops over independent indices: no
// shared memory, no barriers, no atomics, no warp functions. A launch of G blocks of B threads is
// G·B calls of the kernel function, one "thread" at a time, with blockIdx, threadIdx, blockDim and
// gridDim set as the GPU would set them. Anything a kernel might add that needs threads to run
// together fails to compile here (__shared__, __syncthreads and the rest are left undefined).
//
// Use: include this header, then the .cu files, then PINN_HOST_LAUNCHER(entry) for each kernel.
// Compile with -ffp-contract=off, the host's counterpart of nvcc's -fmad=false.
#pragma once

#include <cmath>
#include <cstring>
#include <utility>

#define __global__

struct pinn_host_dim3 {
    unsigned int x = 1, y = 1, z = 1;
};

// One launch at a time, one "thread" at a time: plain globals are enough.
static pinn_host_dim3 blockIdx, threadIdx, blockDim, gridDim;

// A kernel argument from its 8-byte slot (sizes as long long, scalars as double, arrays as
// pointers), as pinn.kernels.cuda.Kernel marshals them for cuLaunchKernel.
template <typename T>
static T pinn_host_argument(const long long *slot) {
    static_assert(sizeof(T) == sizeof(long long), "every kernel parameter is 8 bytes");
    T value;
    std::memcpy(&value, slot, sizeof(T));
    return value;
}

template <typename... Params, std::size_t... I>
static void pinn_host_call(void (*kernel)(Params...), const long long *args, std::index_sequence<I...>) {
    kernel(pinn_host_argument<Params>(args + I)...);
}

// Runs kernel over a grid of `blocks` blocks of `threads` threads.
template <typename... Params>
static void pinn_host_launch(void (*kernel)(Params...), unsigned int blocks, unsigned int threads, const long long *args) {
    gridDim.x = blocks;
    blockDim.x = threads;
    for (unsigned int b = 0; b < blocks; b++) {
        blockIdx.x = b;
        for (unsigned int t = 0; t < threads; t++) {
            threadIdx.x = t;
            pinn_host_call(kernel, args, std::index_sequence_for<Params...>{});
        }
    }
}

// Exports ENTRY_on_host(blocks, threads, args): the launch of kernel ENTRY, for FFM.
#define PINN_HOST_LAUNCHER(entry)                                                                \
    extern "C" void entry##_on_host(unsigned int blocks, unsigned int threads, const long long *args) { \
        pinn_host_launch(entry, blocks, threads, args);                                           \
    }
