package pinn.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The FFM signatures of {@link CudaDriver} and {@link Cublas} against the C prototypes in the CUDA
 * toolkit's headers, where a toolkit is installed (cuda.h comes with nvcc; cublas_api.h only with
 * cuBLAS): the same number of parameters, each passed as the same kind of value (32-bit integer,
 * 64-bit integer, pointer). A wrong width would corrupt arguments silently on a real driver, and
 * the emulator, built from the same descriptors, cannot notice. Skipped, saying so, without headers.
 */
class NativeSignatureTest {

    private static Optional<Path> header(String name) {
        for (String home : new String[] {System.getenv("CUDA_HOME"), System.getenv("CUDA_PATH"), "/usr/local/cuda"}) {
            if (home == null) continue;
            for (String sub : new String[] {"include", "targets/x86_64-linux/include"}) {
                Path p = Path.of(home, sub, name);
                if (Files.isRegularFile(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The kind of C type: INT (32-bit integer or enum), LONG (64-bit integer), ADDRESS (pointer or handle). */
    private static String kind(String cType) {
        String t = cType.replace("const ", "").strip();
        if (t.contains("*")) return "ADDRESS";
        return switch (t) {
            case "int", "unsigned int", "CUdevice", "CUresult", "CUdevice_attribute", "cublasOperation_t", "cublasStatus_t" -> "INT";
            case "size_t", "CUdeviceptr", "unsigned long long" -> "LONG";
            case "CUcontext", "CUmodule", "CUfunction", "CUstream", "cudaStream_t", "cublasHandle_t" -> "ADDRESS";
            default -> "unknown C type '" + t + "'";
        };
    }

    private static String kind(MemoryLayout layout) {
        if (layout instanceof AddressLayout) return "ADDRESS";
        if (layout.equals(ValueLayout.JAVA_INT)) return "INT";
        if (layout.equals(ValueLayout.JAVA_LONG)) return "LONG";
        return "unexpected layout " + layout;
    }

    /** The first prototype of {@code name} in the header: the return type's kind, then each parameter's. */
    private static List<String> prototype(String header, String returnType, String name) {
        Matcher m = Pattern.compile(Pattern.quote(returnType) + "\\s+(?:CUDAAPI|CUBLASWINAPI)\\s+" + Pattern.quote(name) + "\\s*\\(([^)]*)\\)")
                .matcher(header);
        if (!m.find()) return List.of();
        List<String> kinds = new ArrayList<>();
        kinds.add(kind(returnType));
        for (String param : m.group(1).split(",")) {
            String p = param.replaceAll("\\s+", " ").strip();
            if (p.isEmpty() || p.equals("void")) continue;
            // drop the parameter's name (the last identifier), keep stars
            String type = p.replaceAll("\\b\\w+$", "").strip();
            kinds.add(kind(type));
        }
        return kinds;
    }

    private static List<String> descriptor(FunctionDescriptor d) {
        List<String> kinds = new ArrayList<>();
        kinds.add(kind(d.returnLayout().orElseThrow()));
        for (MemoryLayout l : d.argumentLayouts()) kinds.add(kind(l));
        return kinds;
    }

    @Test
    void driverBindingsMatchCudaH() throws IOException {
        Optional<Path> cudaH = header("cuda.h");
        Assumptions.assumeTrue(cudaH.isPresent(), "no cuda.h here ($CUDA_HOME or /usr/local/cuda): the driver signatures are not checked");
        String header = Files.readString(cudaH.get());
        for (Map.Entry<String, FunctionDescriptor> f : CudaDriver.FUNCTIONS.entrySet()) {
            String symbol = f.getKey();
            String name = symbol;
            if (symbol.endsWith("_v2")) {
                name = symbol.substring(0, symbol.length() - 3);
                assertTrue(Pattern.compile("#define\\s+" + name + "\\s+(__CUDA_API_PTSZ\\()?" + symbol + "\\b").matcher(header).find(),
                        "cuda.h maps " + name + " to " + symbol);
            } else {
                assertTrue(!Pattern.compile("#define\\s+" + name + "\\s+" + name + "_v\\d").matcher(header).find(),
                        "cuda.h maps " + name + " to a versioned symbol; bind that one");
            }
            assertEquals(prototype(header, "CUresult", name), descriptor(f.getValue()), symbol + " against cuda.h");
        }
    }

    @Test
    void cublasBindingsMatchCublasApiH() throws IOException {
        Optional<Path> cublasH = header("cublas_api.h");
        Assumptions.assumeTrue(cublasH.isPresent(), "no cublas_api.h here (cuBLAS's headers are not installed): the cuBLAS signatures are not checked");
        String header = Files.readString(cublasH.get());
        for (Map.Entry<String, FunctionDescriptor> f : Cublas.FUNCTIONS.entrySet()) {
            assertEquals(prototype(header, "cublasStatus_t", f.getKey()), descriptor(f.getValue()), f.getKey() + " against cublas_api.h");
        }
    }
}
