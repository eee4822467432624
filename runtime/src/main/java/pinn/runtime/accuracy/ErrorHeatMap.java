package pinn.runtime.accuracy;

import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.HeatMapStyler;

/**
 * PNG heat maps of an {@link AccuracyReport}'s errors over moneyness S/K × time to expiry τ,
 * drawn with XChart's {@link HeatMapChart}.
 *
 * <p>Each cell shows the largest absolute error of one quantity, per unit strike, over all of the
 * grid's σ and r nodes (the report's {@link ErrorSurface}): the maximum rather than one (σ, r)
 * slice, so no bad corner of the domain hides. Every τ node is drawn, also those below the report's
 * {@code greeksMinExpiry} where the Greeks' targets do not apply; a Greek's title gives both the
 * worst error on the map and the worst where the target applies.
 *
 * <p>Colour is log₁₀ of the error in half-decade bands over four decades, the top band the first
 * half decade at or above the larger of the target and the worst error where the quantity is
 * measured (τ ≥ {@code greeksMinExpiry} for a Greek); errors above the top band take the top colour,
 * errors below the bottom band (exact zeros included) the lowest. The colour bar labels the band edges in
 * error units. Cells are evenly spaced by node index, so the τ axis, whose nodes are uniform in √τ,
 * is stretched near expiry; its tick labels are the node values, so they read true.
 *
 * <p>Rendering needs no display: {@code java.awt.headless} is set to true when this class
 * initialises, unless the property was already set.
 */
public final class ErrorHeatMap {

    /** Image width in pixels. */
    public static final int WIDTH = 960;
    /** Image height in pixels. */
    public static final int HEIGHT = 720;
    /** File name of the price map written by {@link #writePriceAndDelta}. */
    public static final String PRICE_FILE = "price-error.png";
    /** File name of the delta map written by {@link #writePriceAndDelta}. */
    public static final String DELTA_FILE = "delta-error.png";

    private static final int DECADES = 4;
    private static final int BANDS_PER_DECADE = 2;
    /** At most this many tick labels per axis; the rest are blank so the labels stay legible. */
    private static final int MAX_AXIS_LABELS = 21;
    /** Dark (small error) to red (large error), a perceptually ordered "turbo"-like ramp. */
    private static final Color[] RAMP = {
        new Color(0x30123b), new Color(0x4686fb), new Color(0x1ae4b6), new Color(0xa2fc3c),
        new Color(0xfaba39), new Color(0xe4460a), new Color(0x7a0403),
    };

    static {
        // Before any AWT class initialises: a trainer on a server has no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ErrorHeatMap() {
    }

    /**
     * Writes the price map to {@code directory}/{@value #PRICE_FILE} and the delta map to
     * {@code directory}/{@value #DELTA_FILE}, creating the directory if needed.
     *
     * @return the two files, price first
     */
    public static List<Path> writePriceAndDelta(AccuracyReport report, Path directory)
            throws IOException {
        Path price = directory.resolve(PRICE_FILE);
        Path delta = directory.resolve(DELTA_FILE);
        write(report, Quantity.PRICE, price);
        write(report, Quantity.DELTA, delta);
        return List.of(price, delta);
    }

    /**
     * Writes a {@value #WIDTH}×{@value #HEIGHT} PNG heat map of {@code quantity}'s largest error
     * per (S/K, τ) cell to {@code png}, replacing the file and creating parent directories.
     */
    public static void write(AccuracyReport report, Quantity quantity, Path png) throws IOException {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(png, "png");
        HeatMapChart chart = chart(report, quantity);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static HeatMapChart chart(AccuracyReport report, Quantity quantity) {
        QuantityError error = report.error(quantity);
        ErrorSurface surface = error.surface();
        double target = report.targets().maxAbsTarget(quantity);
        double worst = surface.max();

        double top = colourScaleTop(error.maxAbsError(), target);
        double bottom = top - DECADES;
        double[] moneyness = surface.moneyness();
        double[] expiry = surface.expiry();
        List<Number[]> cells = new ArrayList<>(moneyness.length * expiry.length);
        for (int i = 0; i < moneyness.length; i++) {
            for (int j = 0; j < expiry.length; j++) {
                // Clamped so zeros (log −∞) and non-finite errors get the end colours.
                double level = Math.clamp(Math.log10(surface.at(i, j)), bottom, top);
                cells.add(new Number[] {i, j, level});
            }
        }

        // For a Greek the map also shows τ below greeksMinExpiry, where its target does not apply.
        String verdict = quantity.isGreek()
                ? String.format(Locale.ROOT, "; for τ ≥ %s y worst %s, target %s",
                        plain(report.greeksMinExpiry()), scientific(error.maxAbsError()),
                        scientific(target))
                : ", target " + scientific(target);
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(String.format(Locale.ROOT, "Call %s error %s, max over σ and r: worst %s%s",
                        quantity.label(),
                        quantity == Quantity.PRICE ? "|ΔV|/K" : "|Δ " + quantity.label() + "|",
                        scientific(worst), verdict))
                .xAxisTitle("moneyness S/K")
                .yAxisTitle("time to expiry τ (years)")
                .build();
        HeatMapStyler styler = chart.getStyler();
        styler.setShowValue(false);
        styler.setDrawBorder(false);
        styler.setPlotGridLinesVisible(false);
        styler.setXAxisLabelRotation(90);
        styler.setRangeColors(RAMP);
        styler.setMin(bottom);
        styler.setMax(top);
        // Banded, so the colour bar names error ranges; band edges are printed as errors, not logs.
        styler.setPiecewise(true);
        styler.setPiecewiseRanged(true);
        styler.setSplitNumber(DECADES * BANDS_PER_DECADE);
        styler.setHeatMapDecimalValueFormatter(level -> scientific(Math.pow(10.0, level)));
        chart.addSeries("log10 |error|", axisLabels(moneyness, "%.3f"), axisLabels(expiry, "%.4f"),
                cells);
        return chart;
    }

    /**
     * log₁₀ of the top of the colour scale: the half decade at or above the larger of the worst
     * finite error where the quantity is measured and the finite target, so the target is on the
     * scale and a Greek's huge errors right at expiry do not squash the measured region into one
     * band (they saturate instead).
     */
    private static double colourScaleTop(double worst, double target) {
        double reference = 0.0;
        if (Double.isFinite(worst)) {
            reference = worst;
        }
        if (Double.isFinite(target)) {
            reference = Math.max(reference, target);
        }
        if (!(reference > 0.0)) {
            reference = 1e-3; // an exact pricer without a target: any scale shows all zeros
        }
        return Math.ceil(BANDS_PER_DECADE * Math.log10(reference)) / BANDS_PER_DECADE;
    }

    /** Category labels for the nodes: every k-th node's value, blanks between (XChart needs text). */
    private static List<String> axisLabels(double[] nodes, String format) {
        int every = (nodes.length + MAX_AXIS_LABELS - 1) / MAX_AXIS_LABELS;
        List<String> labels = new ArrayList<>(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            labels.add(i % every == 0 ? String.format(Locale.ROOT, format, nodes[i]) : " ");
        }
        return labels;
    }

    private static String scientific(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.1e", value)
                : String.valueOf(value);
    }

    private static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
