package pinn.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinn.kernels.ReferenceBackend;
import pinn.runtime.PricingNetwork;
import pinn.runtime.model.ModelFile;
import pinn.runtime.model.TrainingMetadata;
import pinn.runtime.train.TrainingConfig;

/**
 * The {@code pinn} command line, run in-process through {@link Main#run}.
 *
 * <p>Specification checked:
 * <ul>
 *   <li>{@code demo --steps 50} exits 0, and so does {@code demo --steps 5};
 *   <li>{@code train} with a tiny budget exits 0 and writes a model file that {@link ModelFile#read}
 *       accepts, whose recorded command line contains the options as typed ("--steps 30");
 *   <li>{@code accuracy --model FILE --plot DIR/price.png} writes price.png and price-delta.png and
 *       exits 0 or 2 (2: an untrained model misses the accuracy targets), on this machine's default
 *       thread count (the command has no --threads option);
 *   <li>{@code price --model FILE} prices with that file's model, not the default one;
 *   <li>a bad {@code --hidden} and a missing model file (for {@code accuracy}, {@code price} and
 *       {@code serve}) each exit non-zero with a single line on stderr that names the culprit, and
 *       no stack trace.
 * </ul>
 */
class CliTest {

    /** What one command printed, and its exit code. */
    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(line -> !line.isBlank()).toList();
        }
    }

    private static synchronized Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
        try (PrintStream capturedOut = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
             PrintStream capturedErr = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capturedOut);
            System.setErr(capturedErr);
            int exitCode = Main.run(args);
            capturedOut.flush();
            capturedErr.flush();
            return new Run(exitCode, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** {@code train} with a tiny budget (30 Adam steps, 5 L-BFGS iterations, 8x2): writes and returns DIR/tiny.pinn. */
    private static Path trainTinyModel(Path dir) {
        Path model = dir.resolve("tiny.pinn");
        Run train = run("train", "--steps", "30", "--lbfgs", "5", "--points", "128", "--hidden", "8x2",
                "--threads", "1", "--out", model.toString());
        assertEquals(0, train.exitCode(), "train exit code; stderr: " + train.err());
        return model;
    }

    private static void assertNoStackTrace(Run run) {
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), "stack trace on stderr:\n" + run.err());
    }

    @Test
    void demoRuns() {
        Run run = run("demo", "--steps", "50");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("mean squared error"), run.out());
    }

    @Test
    void demoWithFewerThanTenStepsRuns() {
        // It prints every steps/10 steps; fewer than ten steps must not divide by zero.
        Run run = run("demo", "--steps", "5");
        assertEquals(0, run.exitCode(), "exit code; stderr: " + run.err());
    }

    @Test
    void trainWritesAModelFileThatRecordsItsCommandLine(@TempDir Path dir) throws Exception {
        Path model = trainTinyModel(dir);
        assertTrue(Files.isRegularFile(model), "no model file at " + model);
        assertFalse(Files.exists(dir.resolve("tiny.pinn.checkpoint")), "a finished run leaves no checkpoint");

        ModelFile file = ModelFile.read(model);
        assertTrue(file.metadata().commandLine().contains("--steps 30"), "command line: " + file.metadata().commandLine());
        List<Integer> sizes = file.architecture().layerSizes();
        assertEquals(List.of(8, 8, 1), sizes.subList(1, sizes.size()), "hidden 8x2 and one output");
        long steps = file.metadata().steps();
        assertTrue(steps > 30 && steps <= 35, "steps recorded " + steps + ": 30 Adam steps + up to 5 L-BFGS iterations");
        assertEquals(1, file.metadata().seed());
    }

    @Test
    void accuracyWritesBothHeatMaps(@TempDir Path dir) throws Exception {
        // An untrained network is a valid model: the report runs and (almost surely) misses the targets.
        Path model = dir.resolve("untrained.pinn");
        try (ReferenceBackend backend = new ReferenceBackend();
             PricingNetwork network = PricingNetwork.initialise(backend, TrainingConfig.DEFAULT_DOMAIN, new int[] {8, 8}, 1)) {
            network.toModelFile(new TrainingMetadata("./pinn train --steps 30", 1, 0, Map.of(), Instant.EPOCH)).write(model);
        }
        Path plot = dir.resolve("price.png");
        Run accuracy = run("accuracy", "--model", model.toString(), "--plot", plot.toString());
        assertTrue(accuracy.exitCode() == 0 || accuracy.exitCode() == 2, "accuracy exit code " + accuracy.exitCode() + "; stderr: " + accuracy.err());
        assertTrue(Files.size(plot) > 0, "price heat map");
        assertTrue(Files.size(dir.resolve("price-delta.png")) > 0, "delta heat map");
        assertTrue(accuracy.out().contains("--steps 30"), "the report names how the model was trained:\n" + accuracy.out());
    }

    @Test
    void aBadHiddenSpecificationIsOneLineNamingTheOption() {
        Run run = run("train", "--hidden", "64", "--threads", "1");
        assertNotEquals(0, run.exitCode());
        assertEquals(1, run.errLines().size(), "stderr:\n" + run.err());
        assertTrue(run.err().contains("--hidden"), run.err());
        assertNoStackTrace(run);
    }

    @Test
    void priceWithAModelFileUsesThatModel(@TempDir Path dir) throws Exception {
        Path model = trainTinyModel(dir);
        String[] option = {"--spot", "105", "--strike", "100", "--expiry", "0.5", "--rate", "0.03", "--vol", "0.2", "--json"};

        Run shipped = run(concat(new String[] {"price"}, option));
        Run tiny = run(concat(new String[] {"price", "--model", model.toString()}, option));
        assertEquals(0, shipped.exitCode(), shipped.err());
        assertEquals(0, tiny.exitCode(), tiny.err());
        ObjectMapper json = new ObjectMapper();
        double shippedPrice = json.readTree(shipped.out()).get("model").get("price").asDouble();
        double tinyPrice = json.readTree(tiny.out()).get("model").get("price").asDouble();
        assertNotEquals(shippedPrice, tinyPrice, "a 30-step 8x2 model prices exactly as the shipped one: --model was ignored");
    }

    @Test
    void aMissingModelFileIsOneLineNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-model.pinn");
        String[][] commands = {
                {"accuracy", "--model", missing.toString()},
                {"price", "--model", missing.toString(), "--spot", "100", "--strike", "100", "--expiry", "1", "--rate", "0.05", "--vol", "0.2"},
                {"serve", "--model", missing.toString(), "--port", "0"}};
        for (String[] command : commands) {
            Run run = run(command);
            assertNotEquals(0, run.exitCode(), command[0]);
            assertEquals(1, run.errLines().size(), command[0] + " stderr:\n" + run.err());
            assertTrue(run.err().contains(missing.toString()), run.err());
            assertNoStackTrace(run);
        }
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
