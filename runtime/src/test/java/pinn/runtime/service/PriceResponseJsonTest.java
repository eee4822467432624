package pinn.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

/**
 * The pricing answers are written by hand-made serializers ({@code PriceResponse.SingleSerializer},
 * {@link DoubleJson}) that skip Jackson's string per number: their JSON must be byte for byte what
 * Jackson writes for the same fields, for ordinary values, extremes, subnormals and random bit
 * patterns.
 */
class PriceResponseJsonTest {

    private static final SplittableRandom RANDOM = new SplittableRandom(20260611);

    private static double[] values(int n) {
        double[] fixed = {0.0, -0.0, 1.0, -1.0, 9.906087016265541, 0.022856491508690038, 1e-300, -2.2250738585072014E-308, Double.MIN_VALUE,
                Double.MAX_VALUE, 1e21, 1e-7, 123456789.0, 0.1, 100.0};
        return DoubleStream.concat(DoubleStream.of(fixed), DoubleStream.generate(() -> switch (RANDOM.nextInt(3)) {
            case 0 -> Double.longBitsToDouble(RANDOM.nextLong());
            case 1 -> RANDOM.nextDouble(-200, 200);
            default -> RANDOM.nextGaussian() * Math.pow(10, RANDOM.nextInt(-30, 30));
        }).filter(Double::isFinite).limit(n)).toArray();
    }

    @Test
    void aSingleOptionIsWrittenAsJacksonWritesItsFields() throws JsonProcessingException {
        double[] v = values(6 * 20_000);
        for (int i = 0; i + 6 <= v.length; i += 6) {
            PriceResponse.Single single = new PriceResponse.Single(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], "pinn-cpu", "none");
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("price", v[i]);
            fields.put("delta", v[i + 1]);
            fields.put("gamma", v[i + 2]);
            fields.put("theta", v[i + 3]);
            fields.put("vega", v[i + 4]);
            fields.put("rho", v[i + 5]);
            fields.put("engine", "pinn-cpu");
            fields.put("fallback", "none");
            assertEquals(Json.MAPPER.writeValueAsString(fields), Json.MAPPER.writeValueAsString(single));
        }
    }

    @Test
    void aBatchIsWrittenAsJacksonWritesItsArrays() throws JsonProcessingException {
        int n = 5_000;
        double[][] columns = new double[6][];
        for (int c = 0; c < 6; c++) columns[c] = values(n - 15);
        String[] engines = new String[n], fallbacks = new String[n];
        for (int i = 0; i < n; i++) {
            engines[i] = i % 7 == 0 ? "analytic" : "pinn-cpu";
            fallbacks[i] = i % 7 == 0 ? "outside-domain" : "none";
        }
        PriceResponse.Batch batch = new PriceResponse.Batch(n, columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], engines,
                fallbacks);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("count", n);
        List<String> names = List.of("price", "delta", "gamma", "theta", "vega", "rho");
        for (int c = 0; c < 6; c++) fields.put(names.get(c), columns[c]);
        fields.put("engine", engines);
        fields.put("fallback", fallbacks);
        assertEquals(Json.MAPPER.writeValueAsString(fields), Json.MAPPER.writeValueAsString(batch));
    }
}
