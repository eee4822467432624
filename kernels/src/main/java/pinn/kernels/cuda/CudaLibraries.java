package pinn.kernels.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the CUDA driver library and cuBLAS come from. {@link #system()} searches this machine;
 * {@link EmulatedCuda} stands in for both on a machine without a GPU (tests, dry runs).
 */
public interface CudaLibraries {

    /** The driver API, libcuda.so.1 (installed by the NVIDIA driver, not by the toolkit). */
    Located driver();

    /** cuBLAS, libcublas.so.13 or libcublas.so.12. */
    Located cublas();

    /**
     * A library found ({@code symbols} non-null, {@code name} says which file) or not
     * ({@code symbols} null, {@code name} says what was looked for).
     */
    record Located(String name, SymbolLookup symbols) {
        public static Located found(String name, SymbolLookup symbols) {
            return new Located(name, java.util.Objects.requireNonNull(symbols));
        }

        public static Located missing(String whatWasSearched) {
            return new Located(whatWasSearched, null);
        }

        public boolean isFound() {
            return symbols != null;
        }
    }

    /**
     * The libraries of this machine. The driver: {@code -Dpinn.cuda.driver=PATH}, else
     * libcuda.so.1 through the dynamic loader. cuBLAS: {@code -Dpinn.cuda.cublas=PATH}, else
     * libcublas.so.13 and then libcublas.so.12, each first through the dynamic loader and then in
     * $CUDA_HOME, $CUDA_PATH, /usr/local/cuda*, the system library folders and pip's
     * nvidia-cublas wheels; from a folder, libcublasLt.so.N is loaded first, so that libcublas
     * finds it without LD_LIBRARY_PATH. Libraries, once loaded, stay loaded.
     */
    static CudaLibraries system() {
        return SystemLibraries.INSTANCE;
    }

    /** The search of {@link #system()}. */
    final class SystemLibraries implements CudaLibraries {
        static final SystemLibraries INSTANCE = new SystemLibraries();
        private static final int[] CUBLAS_MAJORS = {13, 12};

        private Located driver;
        private Located cublas;

        private SystemLibraries() {}

        @Override
        public synchronized Located driver() {
            if (driver == null) driver = findDriver();
            return driver;
        }

        @Override
        public synchronized Located cublas() {
            if (cublas == null) cublas = findCublas();
            return cublas;
        }

        private static boolean isLinux() {
            return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        }

        private static Located findDriver() {
            if (!isLinux()) return Located.missing("libcuda.so.1 (the CUDA backend supports Linux only; this is " + System.getProperty("os.name") + ")");
            String explicit = System.getProperty("pinn.cuda.driver");
            String name = explicit != null ? explicit : "libcuda.so.1";
            try {
                return Located.found(name, explicit != null ? SymbolLookup.libraryLookup(Path.of(explicit), Arena.global())
                        : SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException e) {
                return Located.missing(name + " (the NVIDIA driver's library) could not be loaded: " + firstLine(e.getMessage()));
            }
        }

        private static Located findCublas() {
            String explicit = System.getProperty("pinn.cuda.cublas");
            if (explicit != null) {
                Located l = loadFromFile(Path.of(explicit));
                return l != null ? l : Located.missing(explicit + " (set by -Dpinn.cuda.cublas) could not be loaded");
            }
            if (!isLinux()) return Located.missing("libcublas.so.13 or .12 (Linux only)");
            List<Path> folders = candidateFolders();
            for (int major : CUBLAS_MAJORS) {
                String soname = "libcublas.so." + major;
                try {
                    return Located.found(soname + " (dynamic loader)", SymbolLookup.libraryLookup(soname, Arena.global()));
                } catch (IllegalArgumentException notOnLoaderPath) {
                    // try the folders
                }
                for (Path folder : folders) {
                    Path file = folder.resolve(soname);
                    if (!Files.isRegularFile(file)) continue;
                    Located l = loadFromFile(file);
                    if (l != null) return l;
                }
            }
            return Located.missing("libcublas.so.13 or libcublas.so.12 not found through the dynamic loader nor in " + folders
                    + " (install the CUDA toolkit's cuBLAS, or set -Dpinn.cuda.cublas=PATH)");
        }

        /** Loads libcublasLt from the same folder first (libcublas needs it), then the file; null if either fails. */
        private static Located loadFromFile(Path file) {
            try {
                String fileName = file.getFileName().toString();
                String lt = fileName.replace("libcublas.so", "libcublasLt.so");
                Path ltFile = file.resolveSibling(lt);
                if (!lt.equals(fileName) && Files.isRegularFile(ltFile)) SymbolLookup.libraryLookup(ltFile, Arena.global());
                return Located.found(file.toString(), SymbolLookup.libraryLookup(file, Arena.global()));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        private static List<Path> candidateFolders() {
            Set<Path> folders = new LinkedHashSet<>();
            for (String env : new String[] {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"}) {
                String home = System.getenv(env);
                if (home != null && !home.isBlank()) {
                    folders.add(Path.of(home, "lib64"));
                    folders.add(Path.of(home, "lib"));
                    folders.add(Path.of(home, "targets", "x86_64-linux", "lib"));
                }
            }
            List<Path> cudaHomes = new ArrayList<>();
            cudaHomes.add(Path.of("/usr/local/cuda"));
            cudaHomes.addAll(glob(Path.of("/usr/local"), "cuda-*"));
            cudaHomes.addAll(glob(Path.of("/opt"), "cuda*"));
            for (Path home : cudaHomes) {
                folders.add(home.resolve("lib64"));
                folders.add(home.resolve("lib"));
                folders.add(home.resolve("targets/x86_64-linux/lib"));
                folders.add(home.resolve("targets/sbsa-linux/lib"));
            }
            folders.add(Path.of("/usr/lib/x86_64-linux-gnu"));
            folders.add(Path.of("/usr/lib/aarch64-linux-gnu"));
            folders.add(Path.of("/usr/lib64"));
            folders.add(Path.of("/usr/lib"));
            // pip's nvidia-cublas-cu12 / nvidia-cublas wheels
            List<Path> sitePackages = new ArrayList<>();
            for (Path lib : List.of(Path.of("/usr/local/lib"), Path.of("/usr/lib"), Path.of(System.getProperty("user.home", "/"), ".local/lib"),
                    Path.of("/opt/conda/lib"))) {
                for (Path python : glob(lib, "python3*")) {
                    sitePackages.add(python.resolve("site-packages"));
                    sitePackages.add(python.resolve("dist-packages"));
                }
            }
            for (Path site : sitePackages) folders.add(site.resolve("nvidia/cublas/lib"));
            folders.removeIf(p -> !Files.isDirectory(p));
            return new ArrayList<>(folders);
        }

        private static List<Path> glob(Path folder, String pattern) {
            List<Path> found = new ArrayList<>();
            if (!Files.isDirectory(folder)) return found;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, pattern)) {
                for (Path p : entries) found.add(p);
            } catch (IOException | SecurityException e) {
                // unreadable: nothing there for us
            }
            found.sort(java.util.Comparator.reverseOrder()); // newest version first
            return found;
        }

        private static String firstLine(String s) {
            if (s == null) return "";
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        }
    }
}
