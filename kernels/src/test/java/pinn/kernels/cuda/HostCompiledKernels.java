package pinn.kernels.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CUDA C of native/*.cu compiled for this machine with a C++ compiler and
 * native/cuda-on-host.h, loaded for {@link EmulatedCuda#withKernelsFrom}. Compiled once per test
 * JVM, into a temporary folder; {@link #unavailable()} says why not where it cannot be.
 */
final class HostCompiledKernels {

    /** The flags: C++17, and no contraction into FMAs, as nvcc's -fmad=false (build-ptx.sh). */
    static final List<String> FLAGS = List.of("-std=c++17", "-O2", "-ffp-contract=off", "-fPIC", "-shared");

    private static SymbolLookup library;
    private static String unavailable;

    private HostCompiledKernels() {}

    /** The compiled kernels, or null (then {@link #unavailable()} says why). */
    static synchronized SymbolLookup library() {
        if (library == null && unavailable == null) compile();
        return library;
    }

    /** Why there is no library, or null when there is. */
    static synchronized String unavailable() {
        library();
        return unavailable;
    }

    private static void compile() {
        Path nativeFolder = Path.of("").toAbsolutePath().getParent().resolve("native");
        if (!Files.isRegularFile(nativeFolder.resolve("cuda-on-host.h"))) {
            unavailable = "native/cuda-on-host.h is not where a build from the kernels module expects it (" + nativeFolder + ")";
            return;
        }
        String compiler = System.getenv().getOrDefault("CXX", "g++");
        try {
            Path work = Files.createTempDirectory("pinn-host-kernels");
            StringBuilder unit = new StringBuilder("#include \"" + nativeFolder.resolve("cuda-on-host.h") + "\"\n");
            for (String module : Kernel.MODULES) unit.append("#include \"").append(nativeFolder.resolve(module + ".cu")).append("\"\n");
            for (Kernel kernel : Kernel.values()) unit.append("PINN_HOST_LAUNCHER(").append(kernel.entry).append(")\n");
            Path source = Files.writeString(work.resolve("kernels-on-host.cpp"), unit);
            Path output = work.resolve("libpinn-kernels-on-host.so");
            List<String> command = new ArrayList<>(List.of(compiler));
            command.addAll(FLAGS);
            command.addAll(List.of("-o", output.toString(), source.toString()));
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException noCompiler) {
                unavailable = "no C++ compiler (" + compiler + ", or $CXX): " + noCompiler.getMessage();
                return;
            }
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took over two minutes");
            }
            // Not a skip: the compiler is there, so a failure is the sources' fault.
            if (process.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed:\n" + log);
            library = SymbolLookup.libraryLookup(output, Arena.global());
        } catch (IOException e) {
            throw new IllegalStateException("compiling native/ for the host: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
