package pinn.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX as the backend will hand it to the driver: every kernel the backend launches
 * is there with the parameters it marshals, at the ISA version and target every CUDA 12 and 13
 * driver accepts, with the build header the freshness test reads. Needs no CUDA toolkit.
 */
class PtxModuleTest {

    @Test
    void everyKernelIsDeclaredWithTheParametersTheBackendPasses() {
        Set<String> declared = new HashSet<>();
        for (String name : Kernel.MODULES) declared.addAll(PtxModule.load(name).entries().keySet());
        for (Kernel k : Kernel.values()) {
            Map<String, List<String>> entries = PtxModule.load(k.module).entries();
            assertTrue(entries.containsKey(k.entry), k.module + ".ptx lacks " + k.entry + "; run native/build-ptx.sh");
            List<String> expected = k.params.stream().map(p -> p.ptxType).toList();
            assertEquals(expected, entries.get(k.entry), k.entry + "'s parameters in the PTX");
            declared.remove(k.entry);
        }
        assertTrue(declared.isEmpty(), "kernels in the PTX that the backend does not know: " + declared);
    }

    @Test
    void theIsaVersionAndTargetAreOnesCuda12DriversAccept() {
        for (String name : Kernel.MODULES) {
            PtxModule ptx = PtxModule.load(name);
            assertEquals("8.0", ptx.isaVersion(), name);
            assertEquals("sm_75", ptx.target(), name);
            assertTrue(ptx.sourcesSha256().isPresent(), name + " has the build header");
            assertTrue(ptx.builtBy().orElse("").contains("-fmad=false"), name + " was built without FMA contraction");
        }
    }
}
