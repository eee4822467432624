package pinn.runtime.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code ./pinn serve}: the HTTP pricing service (placeholder until the service lands). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the HTTP pricing service.")
final class ServeCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("pinn serve: not available yet");
        return 1;
    }
}
