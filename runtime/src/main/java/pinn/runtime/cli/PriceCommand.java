package pinn.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;
import pinn.runtime.Valuation;
import pinn.runtime.engine.InvalidInputException;
import pinn.runtime.engine.OptionBatch;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedBatch;
import pinn.runtime.engine.PricedOption;

/**
 * {@code ./pinn price}: one option with its Greeks beside the analytic values, or a CSV file of
 * options streamed through the batch path in chunks, so the heap does not grow with the file.
 */
@Command(name = "price", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Price European options with the default model (or --model FILE): price, delta, gamma, theta, vega, rho and the engine.",
                "Units: spot and strike in currency, expiry in years, rate and vol as decimals (0.05, 0.2)."})
final class PriceCommand implements Callable<Integer> {

    /** Rows per batch when streaming CSV: large enough for the parallel GEMM path, small enough to keep the heap flat. */
    static final int CSV_CHUNK = 8192;
    static final String CSV_HEADER = "spot,strike,expiry,rate,vol,type";

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @ArgGroup(exclusive = false)
        OneOption one;

        @Option(names = "--csv", paramLabel = "FILE", required = true,
                description = "Price the rows of FILE ('-' for standard input), header " + CSV_HEADER + "; writes CSV to standard output.")
        String csv;
    }

    static final class OneOption {
        @Option(names = "--spot", required = true, description = "Spot price S.")
        double spot;
        @Option(names = "--strike", required = true, description = "Strike K.")
        double strike;
        @Option(names = "--expiry", required = true, description = "Time to expiry in years.")
        double expiry;
        @Option(names = "--rate", required = true, description = "Risk-free rate, a decimal (0.05 = 5%%).")
        double rate;
        @Option(names = "--vol", required = true, description = "Volatility, a decimal (0.2 = 20%%).")
        double vol;
        @Option(names = "--type", defaultValue = "call", description = "call or put (default: ${DEFAULT-VALUE}).")
        String type;
    }

    @Option(names = "--json", description = "One option: print JSON instead of a table.")
    boolean json;

    @Option(names = "--model", paramLabel = "FILE", description = "Model file, e.g. from ./pinn train (default: the shipped default model).")
    Path model;

    @Override
    public Integer call() throws IOException {
        if (input.csv != null && json) throw new ParameterException(spec.commandLine(), "--json applies to one option, not to --csv");
        PinnRuntime.Builder builder = PinnRuntime.builder();
        if (model != null) builder.modelFile(model);
        try (PinnRuntime runtime = builder.build()) {
            return input.csv != null ? priceCsv(runtime, input.csv) : priceOne(runtime, input.one);
        }
    }

    private int priceOne(PinnRuntime runtime, OneOption o) throws IOException {
        OptionType type = OptionType.parse(o.type);
        PricedOption priced = runtime.price(type, o.spot, o.strike, o.expiry, o.rate, o.vol);
        Valuation model = priced.valuation(), exact = BlackScholes.value(type, o.spot, o.strike, o.expiry, o.rate, o.vol);
        PrintWriter out = spec.commandLine().getOut();
        double[] m = values(model), a = values(exact);
        String[] names = {"price", "delta", "gamma", "theta", "vega", "rho"};
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("engine", priced.engine().label());
            doc.put("fallback", priced.fallback().label());
            for (String[] section : new String[][] {{"model"}, {"analytic"}, {"difference"}}) {
                Map<String, Double> numbers = new LinkedHashMap<>();
                for (int k = 0; k < names.length; k++) {
                    numbers.put(names[k], switch (section[0]) {
                        case "model" -> m[k];
                        case "analytic" -> a[k];
                        default -> m[k] - a[k];
                    });
                }
                doc.put(section[0], numbers);
            }
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            out.printf(Locale.ROOT, "%s S=%s K=%s T=%s r=%s vol=%s  engine: %s%s%n", type.name().toLowerCase(Locale.ROOT),
                    o.spot, o.strike, o.expiry, o.rate, o.vol, priced.engine().label(),
                    priced.fallback().label().equals("none") ? "" : " (fallback: " + priced.fallback().label() + ")");
            out.printf(Locale.ROOT, "%-6s %16s %16s %12s%n", "", "model", "analytic", "difference");
            for (int k = 0; k < names.length; k++) {
                out.printf(Locale.ROOT, "%-6s %16.8f %16.8f %12.2e%n", names[k], m[k], a[k], m[k] - a[k]);
            }
        }
        out.flush();
        return 0;
    }

    private static double[] values(Valuation v) {
        return new double[] {v.price(), v.delta(), v.gamma(), v.theta(), v.vega(), v.rho()};
    }

    /**
     * Streams the CSV in chunks of {@link #CSV_CHUNK} rows. A bad row is reported on standard error
     * with its line number and skipped; the exit status is then 2.
     */
    private int priceCsv(PinnRuntime runtime, String file) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        // Standard output is flushed, not closed: it is not this command's to close.
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        try (BufferedReader in = file.equals("-") ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null || !header.strip().equals(CSV_HEADER)) {
                err.println("pinn price: line 1 must be the header '" + CSV_HEADER + "', was '" + (header == null ? "" : header.strip()) + "'");
                return 1;
            }
            out.write(CSV_HEADER + ",price,delta,gamma,theta,vega,rho,engine\n");
            CsvChunk chunk = new CsvChunk(CSV_CHUNK);
            long lineNumber = 1, skipped = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) continue;
                String problem = chunk.add(line);
                if (problem != null) {
                    err.println("pinn price: line " + lineNumber + " skipped: " + problem);
                    skipped++;
                }
                if (chunk.size == CSV_CHUNK) chunk.flush(runtime, out);
            }
            chunk.flush(runtime, out);
            if (skipped > 0) err.println("pinn price: " + skipped + " bad row(s) skipped");
            return skipped > 0 ? 2 : 0;
        } finally {
            out.flush();
        }
    }

    /** One chunk of parsed rows, reused from chunk to chunk. */
    private static final class CsvChunk {
        final double[] spot, strike, expiry, rate, vol;
        final OptionType[] type;
        final String[] text;
        int size;

        CsvChunk(int capacity) {
            spot = new double[capacity];
            strike = new double[capacity];
            expiry = new double[capacity];
            rate = new double[capacity];
            vol = new double[capacity];
            type = new OptionType[capacity];
            text = new String[capacity];
        }

        /** Parses and checks one row; returns why it is bad, or null when it was added. */
        String add(String line) {
            String[] cells = line.split(",", -1);
            if (cells.length != 6) return "expected 6 columns (" + CSV_HEADER + "), found " + cells.length;
            String[] names = {"spot", "strike", "expiry", "rate", "vol"};
            double[] numbers = new double[5];
            for (int c = 0; c < 5; c++) {
                try {
                    numbers[c] = Double.parseDouble(cells[c].strip());
                } catch (NumberFormatException e) {
                    return names[c] + " is not a number: '" + cells[c].strip() + "'";
                }
            }
            OptionType t;
            try {
                t = OptionType.parse(cells[5]);
            } catch (IllegalArgumentException e) {
                return "type " + e.getMessage().replaceFirst("^option type ", "");
            }
            try {
                OptionBatch.of(t, numbers[0], numbers[1], numbers[2], numbers[3], numbers[4]);
            } catch (InvalidInputException e) {
                return e.getMessage();
            }
            spot[size] = numbers[0];
            strike[size] = numbers[1];
            expiry[size] = numbers[2];
            rate[size] = numbers[3];
            vol[size] = numbers[4];
            type[size] = t;
            text[size] = line.strip();
            size++;
            return null;
        }

        void flush(PinnRuntime runtime, BufferedWriter out) throws IOException {
            if (size == 0) return;
            OptionBatch batch = OptionBatch.builder().spot(Arrays.copyOf(spot, size)).strike(Arrays.copyOf(strike, size))
                    .expiry(Arrays.copyOf(expiry, size)).rate(Arrays.copyOf(rate, size))
                    .vol(Arrays.copyOf(vol, size)).type(Arrays.copyOf(type, size)).build();
            PricedBatch priced = runtime.price(batch);
            StringBuilder row = new StringBuilder(160);
            for (int i = 0; i < size; i++) {
                Valuation v = priced.valuations().get(i);
                row.setLength(0);
                row.append(text[i]).append(',').append(v.price()).append(',').append(v.delta()).append(',').append(v.gamma())
                        .append(',').append(v.theta()).append(',').append(v.vega()).append(',').append(v.rho())
                        .append(',').append(priced.engine(i).label()).append('\n');
                out.write(row.toString());
            }
            size = 0;
        }
    }
}
