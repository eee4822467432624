package pinn.kernels.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every test of {@link CudaBackendEmulatedTest}, with the kernels being the CUDA C of native/*.cu
 * itself, compiled for the host ({@link HostCompiledKernels}) and run over each launch's real grid,
 * instead of the emulator's Java transcriptions: a kernel whose CUDA C disagrees with the reference
 * (a wrong index, formula or order of operations) fails here, without a GPU. The one allowed
 * difference: exp, log and tanh come from the host's C library, not Java's Math (each within 1–2.5
 * ulp of exact), so results computed through them may differ by a few ulp.
 */
class CudaBackendHostCompiledKernelsTest extends CudaBackendEmulatedTest {

    @BeforeAll
    static void compileTheKernels() {
        Assumptions.assumeTrue(HostCompiledKernels.library() != null,
                () -> "the CUDA C is not run on the host: " + HostCompiledKernels.unavailable());
    }

    @Override
    EmulatedCuda newEmulator() {
        return new EmulatedCuda().withKernelsFrom(HostCompiledKernels.library());
    }

    @Override
    double transcendentalTolerance() {
        return 1e-15;
    }
}
