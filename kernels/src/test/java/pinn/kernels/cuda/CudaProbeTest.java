package pinn.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import pinn.kernels.cuda.CudaProbe.Reason;

/**
 * The probe says yes only when everything works, and otherwise gives one reason per failing step:
 * on this machine for real, and for every step with a fault injected into the emulated driver and
 * cuBLAS (the real FFM bindings run against them).
 */
class CudaProbeTest {

    private static final CudaProbe.Options DEFAULTS = new CudaProbe.Options(0, true, true, true);

    private static CudaProbe.Unusable unusable(EmulatedCuda cuda, CudaProbe.Options options) {
        CudaProbe.Outcome outcome = new CudaProbe(cuda, options).run();
        if (outcome instanceof CudaProbe.Usable usable) usable.backend().close();
        CudaProbe.Unusable result = assertInstanceOf(CudaProbe.Unusable.class, outcome, "the probe should have refused");
        assertFalse(result.message().isBlank());
        assertFalse(result.logLine().contains("\n"), "one line");
        assertEquals(0, cuda.bytesAllocated(), "a refused probe leaves nothing allocated");
        return result;
    }

    private static CudaProbe.Unusable unusable(EmulatedCuda cuda) {
        return unusable(cuda, DEFAULTS);
    }

    @Test
    void onThisMachineTheProbeQuicklySaysWhyThereIsNoGpu() {
        long start = System.nanoTime();
        CudaProbe.Outcome outcome = CudaProbe.probe();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (outcome instanceof CudaProbe.Usable usable) {
            String line = usable.logLine();
            usable.backend().close();
            Assumptions.abort("a usable GPU is present here: " + line);
        }
        CudaProbe.Unusable result = (CudaProbe.Unusable) outcome;
        assertTrue(Set.of(Reason.NO_DRIVER, Reason.NO_DEVICE, Reason.DRIVER_INIT_FAILED, Reason.DISABLED).contains(result.reason()),
                result.logLine());
        assertFalse(result.message().isBlank());
        assertTrue(result.logLine().startsWith("CUDA backend unavailable (" + result.reason().label() + "): "), result.logLine());
        assertTrue(millis < 5_000, "the probe took " + millis + " ms");
    }

    @Test
    void everythingWorkingGivesABackend() {
        EmulatedCuda cuda = new EmulatedCuda();
        CudaProbe.Outcome outcome = new CudaProbe(cuda, DEFAULTS).run();
        CudaProbe.Usable usable = assertInstanceOf(CudaProbe.Usable.class, outcome);
        try (CudaBackend backend = usable.backend()) {
            assertEquals("cuda", backend.name());
            assertTrue(usable.logLine().contains("Emulated CUDA device 0"), usable.logLine());
            assertTrue(usable.logLine().contains("cuBLAS 130000"), usable.logLine());
            assertTrue(backend.stats().kernelLaunches() > 0 && backend.stats().gemms() > 0, "the self-test ran ops of both kinds");
        }
        assertEquals(0, cuda.bytesAllocated());
    }

    @Test
    void labelsAreStableKebabCase() {
        assertEquals("no-driver", Reason.NO_DRIVER.label());
        assertEquals("module-load-failed", Reason.MODULE_LOAD_FAILED.label());
        assertEquals(Arrays.stream(Reason.values()).map(Reason::label).distinct().count(), Reason.values().length);
    }

    @Test
    void switchedOffByConfiguration() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda(), new CudaProbe.Options(0, true, true, false));
        assertEquals(Reason.DISABLED, result.reason());
    }

    @Test
    void noDriverLibrary() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().withoutDriver());
        assertEquals(Reason.NO_DRIVER, result.reason());
        assertTrue(result.message().contains("libcuda.so.1"), result.message());
    }

    @Test
    void aDriverWithoutAFunctionWeNeedCountsAsNoDriver() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().withoutSymbol("cuMemAllocManaged"));
        assertEquals(Reason.NO_DRIVER, result.reason());
        assertTrue(result.message().contains("cuMemAllocManaged"), result.message());
    }

    @Test
    void theToolkitsStubLibraryIsNoDriver() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().failingInit(CudaStatus.ERROR_STUB_LIBRARY));
        assertEquals(Reason.NO_DRIVER, result.reason());
        assertTrue(result.message().contains("stub"), result.message());
    }

    @Test
    void noDevice() {
        assertEquals(Reason.NO_DEVICE, unusable(new EmulatedCuda().failingInit(CudaStatus.ERROR_NO_DEVICE)).reason());
        assertEquals(Reason.NO_DEVICE, unusable(new EmulatedCuda().withDevices(0)).reason());
        CudaProbe.Unusable missingOrdinal = unusable(new EmulatedCuda().withDevices(2), new CudaProbe.Options(3, true, true, true));
        assertEquals(Reason.NO_DEVICE, missingOrdinal.reason());
        assertTrue(missingOrdinal.message().contains("device 3"), missingOrdinal.message());
    }

    @Test
    void aDriverThatDoesNotInitialise() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().failingInit(CudaStatus.ERROR_SYSTEM_DRIVER_MISMATCH));
        assertEquals(Reason.DRIVER_INIT_FAILED, result.reason());
        assertTrue(result.message().contains("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"), result.message());
    }

    @Test
    void aDeviceWithoutManagedMemory() {
        assertEquals(Reason.NO_MANAGED_MEMORY, unusable(new EmulatedCuda().withoutManagedMemory()).reason());
    }

    @Test
    void aBusyDevice() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().failingContext(CudaStatus.ERROR_DEVICE_UNAVAILABLE));
        assertEquals(Reason.DEVICE_UNAVAILABLE, result.reason());
        assertTrue(result.message().contains("CUDA_ERROR_DEVICE_UNAVAILABLE"), result.message());
    }

    @Test
    void noCublas() {
        CudaProbe.Unusable missing = unusable(new EmulatedCuda().withoutCublas());
        assertEquals(Reason.CUBLAS_MISSING, missing.reason());
        assertTrue(missing.message().contains("libcublas.so.13"), missing.message());
        CudaProbe.Unusable incomplete = unusable(new EmulatedCuda().withoutSymbol("cublasDgemm_v2"));
        assertEquals(Reason.CUBLAS_MISSING, incomplete.reason());
        assertTrue(incomplete.message().contains("cublasDgemm_v2"), incomplete.message());
    }

    @Test
    void cublasThatCannotMakeAHandle() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().failingCublasCreate(CudaStatus.CUBLAS_STATUS_NOT_INITIALIZED));
        assertEquals(Reason.CUBLAS_FAILED, result.reason());
        assertTrue(result.message().contains("CUBLAS_STATUS_NOT_INITIALIZED"), result.message());
    }

    @Test
    void aDriverTooOldForOurPtxIsAModuleLoadFailureWithTheJitLog() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().acceptingPtxUpTo(7.8));
        assertEquals(Reason.MODULE_LOAD_FAILED, result.reason());
        assertTrue(result.message().contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), result.message());
        assertTrue(result.message().contains("PTX ISA 8.0"), result.message());
        assertTrue(result.message().contains("Unsupported .version 8.0"), "the JIT log is passed on: " + result.message());
    }

    @Test
    void aMiscomputingKernelFailsTheSelfTest() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().corrupting("pinn_tanh"));
        assertEquals(Reason.SELF_TEST_FAILED, result.reason());
        assertTrue(result.message().contains("tanh"), result.message());
    }

    @Test
    void aFaultingKernelFailsTheSelfTest() {
        CudaProbe.Unusable result = unusable(new EmulatedCuda().faultingLaunch(1));
        assertEquals(Reason.SELF_TEST_FAILED, result.reason());
        assertTrue(result.message().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), result.message());
    }

    @Test
    void optionsComeFromSystemProperties() {
        String saved = System.getProperty("pinn.cuda");
        try {
            System.setProperty("pinn.cuda", "off");
            assertFalse(CudaProbe.Options.fromSystemProperties().enabled());
            System.setProperty("pinn.cuda", "auto");
            assertTrue(CudaProbe.Options.fromSystemProperties().enabled());
        } finally {
            if (saved == null) System.clearProperty("pinn.cuda");
            else System.setProperty("pinn.cuda", saved);
        }
    }
}
