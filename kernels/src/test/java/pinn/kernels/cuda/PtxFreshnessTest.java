package pinn.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails when the committed PTX (kernels/src/main/resources/pinn/kernels/cuda/) is stale: a .cu or
 * .cuh file in native/ changed without native/build-ptx.sh being run. Runs only where nvcc is
 * installed, since only there can the PTX be regenerated; elsewhere it is skipped and says so.
 * Checks the source hashes recorded in the PTX headers, then rebuilds into a temporary folder and,
 * if this nvcc is the release that built the committed PTX, compares the files byte for byte.
 */
class PtxFreshnessTest {

    private static final Path RESOURCES = Path.of("src/main/resources/pinn/kernels/cuda");

    private static Optional<Path> nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) return Optional.of(Path.of(dir, "nvcc"));
        }
        for (String home : new String[] {System.getenv("CUDA_HOME"), "/usr/local/cuda"}) {
            if (home != null && Files.isExecutable(Path.of(home, "bin", "nvcc"))) return Optional.of(Path.of(home, "bin", "nvcc"));
        }
        return Optional.empty();
    }

    private static Path nativeFolder() {
        Path folder = Path.of("").toAbsolutePath().getParent().resolve("native");
        Assumptions.assumeTrue(Files.isDirectory(folder) && Files.isDirectory(RESOURCES),
                "native/ or the PTX resources are not where a build from the kernels module expects them (" + folder + ")");
        return folder;
    }

    static String sourcesHash(Path nativeFolder, String module) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Files.readAllBytes(nativeFolder.resolve("common.cuh")));
        sha.update(Files.readAllBytes(nativeFolder.resolve(module + ".cu")));
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void theCommittedPtxIsBuiltFromTheCurrentSources(@TempDir Path rebuilt) throws Exception {
        Optional<Path> nvcc = nvcc();
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc is not installed (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin): the PTX cannot be"
                + " regenerated here, so its freshness is not checked; the committed PTX is used as it is");
        Path nativeFolder = nativeFolder();
        try (var sources = Files.list(nativeFolder)) {
            List<String> modules = sources.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".cu"))
                    .map(f -> f.substring(0, f.length() - 3)).sorted().toList();
            assertEquals(Kernel.MODULES.stream().sorted().toList(), modules, "one PTX module per native/*.cu");
        }
        for (String module : Kernel.MODULES) {
            String committed = Files.readString(RESOURCES.resolve(module + ".ptx"));
            assertEquals(sourcesHash(nativeFolder, module), new PtxModule(module, committed).sourcesSha256().orElse("none"),
                    module + ".ptx is stale: native/" + module + ".cu or common.cuh changed since it was built; run native/build-ptx.sh");
        }

        Process build = new ProcessBuilder("bash", nativeFolder.resolve("build-ptx.sh").toString(), rebuilt.toString())
                .redirectErrorStream(true).start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(build.waitFor(120, TimeUnit.SECONDS), "build-ptx.sh took over two minutes");
        assertEquals(0, build.exitValue(), "build-ptx.sh failed:\n" + output);
        for (String module : Kernel.MODULES) {
            PtxModule committed = new PtxModule(module, Files.readString(RESOURCES.resolve(module + ".ptx")));
            PtxModule fresh = new PtxModule(module, Files.readString(rebuilt.resolve(module + ".ptx")));
            String committedNvcc = committed.builtBy().orElse("").split(";")[0];
            String freshNvcc = fresh.builtBy().orElse("").split(";")[0];
            if (!committedNvcc.equals(freshNvcc)) continue; // another nvcc release writes other PTX for the same source
            assertEquals(fresh.text(), committed.text(), module + ".ptx differs from what build-ptx.sh makes now; run native/build-ptx.sh");
        }
    }
}
