package pinn.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PTX module of the backend as committed in the kernels jar (built by native/build-ptx.sh): its
 * text, and what the text declares (ISA version, target, kernel entries with parameter types).
 */
record PtxModule(String name, String text) {

    private static final Pattern ENTRY = Pattern.compile("\\.visible\\s+\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(\\.\\w+)\\s+\\w+");

    /** The module {@code name} from /pinn/kernels/cuda/NAME.ptx on the class path. */
    static PtxModule load(String name) {
        String resource = "/pinn/kernels/cuda/" + name + ".ptx";
        try (InputStream in = PtxModule.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("the PTX resource " + resource + " is missing from the class path");
            return new PtxModule(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the PTX resource " + resource + ": " + e.getMessage(), e);
        }
    }

    /** Every kernel entry, in order, with the PTX types of its parameters (e.g. .u64, .f64). */
    Map<String, List<String>> entries() {
        Map<String, List<String>> entries = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) types.add(p.group(1));
            entries.put(m.group(1), types);
        }
        return entries;
    }

    /** The PTX ISA version of the {@code .version} line, e.g. "8.0". */
    String isaVersion() {
        return directive("version");
    }

    /** The {@code .target} line's architecture, e.g. "sm_75". */
    String target() {
        return directive("target");
    }

    /** The SHA-256 of the sources that build-ptx.sh recorded in the header. */
    Optional<String> sourcesSha256() {
        Matcher m = Pattern.compile("(?m)^// pinn-ptx sources-sha256: ([0-9a-f]{64})$").matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The header's build line (nvcc release and flags). */
    Optional<String> builtBy() {
        Matcher m = Pattern.compile("(?m)^// pinn-ptx built-by: (.*)$").matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private String directive(String name) {
        Matcher m = Pattern.compile("(?m)^\\." + name + "\\s+(\\S+)").matcher(text);
        return m.find() ? m.group(1) : "";
    }
}
