package pinn.runtime.accuracy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pinn.runtime.accuracy.OraclePricers.DOMAIN;
import static pinn.runtime.accuracy.OraclePricers.adjusted;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinn.runtime.Valuation;

/** Heat maps of the report's errors: valid, non-trivial PNGs, written without a display. */
class ErrorHeatMapTest {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path directory;

    @Test
    void writesPriceAndDeltaMapsAsPngFiles() throws IOException {
        // Errors that vary over S/K × τ, so the maps have structure to show.
        AccuracyReport report = AccuracyReport.evaluate(adjusted((m, t, v, r, exact) -> new Valuation(
                exact.price() + 1e-3 * Math.exp(-20 * (m - 1) * (m - 1)) * Math.sqrt(t),
                exact.delta() + 2e-2 * Math.exp(-t) * Math.abs(m - 1),
                exact.gamma(), exact.theta(), exact.vega(), exact.rho())), AccuracyGrid.over(DOMAIN));

        List<Path> written = ErrorHeatMap.writePriceAndDelta(report, directory.resolve("maps"));

        assertEquals(List.of(directory.resolve("maps/price-error.png"),
                directory.resolve("maps/delta-error.png")), written);
        for (Path png : written) {
            assertValidPng(png);
        }
        assertEquals("true", System.getProperty("java.awt.headless"));
    }

    @Test
    void anExactPricerStillGivesAMapOfAnyQuantity() throws IOException {
        AccuracyReport exact = AccuracyReport.evaluate(OraclePricers.exact(),
                AccuracyGrid.over(DOMAIN, 11, 11, 3, 2));
        Path png = directory.resolve("gamma.png");
        ErrorHeatMap.write(exact, Quantity.GAMMA, png);
        assertValidPng(png);
        ErrorHeatMap.write(exact, Quantity.GAMMA, png); // replaces the file
        assertValidPng(png);
    }

    private static void assertValidPng(Path png) throws IOException {
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length), png::toString);
        assertTrue(bytes.length > 10_000, () -> png + " is only " + bytes.length + " bytes");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(ErrorHeatMap.WIDTH, image.getWidth());
        assertEquals(ErrorHeatMap.HEIGHT, image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 8, () -> png + " has only " + colours.size() + " colours");
    }
}
