package pinn.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;

/** {@code ./pinn price}: one option as a table or JSON, and CSV streaming with bad rows reported by line. */
class PriceCommandTest {

    record Run(int exitCode, String out, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream(), errBytes = new ByteArrayOutputStream();
        try (PrintStream capturedOut = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
             PrintStream capturedErr = new PrintStream(errBytes, true, StandardCharsets.UTF_8)) {
            System.setOut(capturedOut);
            System.setErr(capturedErr);
            int exitCode = Main.run(args);
            return new Run(exitCode, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void oneOptionPrintsModelAnalyticAndDifference() {
        Run run = run("price", "--spot", "105", "--strike", "100", "--expiry", "0.5", "--rate", "0.03", "--vol", "0.2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("engine: pinn-cpu"), run.out());
        for (String greek : List.of("price", "delta", "gamma", "theta", "vega", "rho")) assertTrue(run.out().contains(greek), greek);
        assertTrue(run.out().contains(String.format(java.util.Locale.ROOT, "%.8f",
                BlackScholes.value(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2).price())), run.out());
    }

    @Test
    void jsonHasTheThreeSections() throws Exception {
        Run run = run("price", "--spot", "90", "--strike", "100", "--expiry", "1", "--rate", "0.05", "--vol", "0.3", "--type", "put", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertEquals("pinn-cpu", doc.get("engine").asText());
        double exact = BlackScholes.value(OptionType.PUT, 90, 100, 1, 0.05, 0.3).price();
        assertEquals(exact, doc.get("analytic").get("price").asDouble(), 1e-12);
        assertEquals(doc.get("model").get("price").asDouble() - exact, doc.get("difference").get("price").asDouble(), 1e-12);
        assertTrue(Math.abs(doc.get("difference").get("price").asDouble()) < 0.2);
    }

    @Test
    void badOneOptionInputIsOneLine() {
        Run run = run("price", "--spot", "-5", "--strike", "100", "--expiry", "1", "--rate", "0.05", "--vol", "0.3");
        assertEquals(1, run.exitCode());
        assertEquals("pinn price: spot must be finite and > 0, was -5.0", run.err().strip());
    }

    @Test
    void csvRowsGainTheirResultsAndBadRowsAreReportedByLine(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("book.csv");
        Files.writeString(csv, """
                spot,strike,expiry,rate,vol,type
                100,100,1,0.05,0.2,call
                100,-1,1,0.05,0.2,put

                300,100,1,0.05,0.2,put
                abc,1,1,1,1,call
                95,100,0.5,0.02,0.25,PUT
                """);
        Run run = run("price", "--csv", csv.toString());
        assertEquals(2, run.exitCode(), "bad rows make the exit status 2");
        List<String> lines = run.out().lines().toList();
        assertEquals("spot,strike,expiry,rate,vol,type,price,delta,gamma,theta,vega,rho,engine", lines.getFirst());
        assertEquals(4, lines.size(), run.out());
        assertTrue(lines.get(1).startsWith("100,100,1,0.05,0.2,call,") && lines.get(1).endsWith(",pinn-cpu"), lines.get(1));
        assertTrue(lines.get(2).endsWith(",analytic"), "S/K = 3 lies outside the domain: " + lines.get(2));
        String[] cells = lines.get(3).split(",");
        assertEquals(BlackScholes.value(OptionType.PUT, 95, 100, 0.5, 0.02, 0.25).price(), Double.parseDouble(cells[6]), 0.2);
        assertTrue(run.err().contains("line 3 skipped: strike must be finite and > 0, was -1.0"), run.err());
        assertTrue(run.err().contains("line 6 skipped: spot is not a number: 'abc'"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void aCsvWithoutTheHeaderIsRefused(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "100,100,1,0.05,0.2,call\n");
        Run run = run("price", "--csv", csv.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("line 1 must be the header 'spot,strike,expiry,rate,vol,type'"), run.err());
    }
}
