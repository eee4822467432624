package pinn.kernels.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/** Binds C functions of a loaded library to method handles (Panama FFM downcalls). */
final class NativeBinding {

    private NativeBinding() {}

    /** A library lacks a function this package needs: too old, or not the library we think. */
    static final class MissingSymbolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingSymbolException(String library, String symbol) {
            super(library + " has no symbol " + symbol);
        }
    }

    /** One handle per function in {@code functions}, or a {@link MissingSymbolException} for the first one missing. */
    static Map<String, MethodHandle> bindAll(SymbolLookup lookup, String library, Map<String, FunctionDescriptor> functions) {
        Linker linker = Linker.nativeLinker();
        Map<String, MethodHandle> handles = new LinkedHashMap<>();
        for (Map.Entry<String, FunctionDescriptor> f : functions.entrySet()) {
            MemorySegment address = lookup.find(f.getKey()).orElseThrow(() -> new MissingSymbolException(library, f.getKey()));
            handles.put(f.getKey(), linker.downcallHandle(address, f.getValue()));
        }
        return handles;
    }

    /** A Throwable from invokeExact that is not a status code: a binding bug, never expected. */
    static CudaException unexpected(String function, Throwable t) {
        if (t instanceof CudaException e) return e;
        return new CudaException("calling " + function + " failed in the FFM binding: " + t, t);
    }
}
