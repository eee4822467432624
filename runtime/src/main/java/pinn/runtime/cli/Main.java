package pinn.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pinn} command line: {@code ./pinn <command> [options]}; {@code ./pinn help} lists the commands. */
@Command(name = "pinn", mixinStandardHelpOptions = true, version = "pinn 0.1.0",
        description = "A physics-informed neural network runtime for option pricing.",
        subcommands = {PriceCommand.class, ServeCommand.class, DemoCommand.class, TrainCommand.class, AccuracyCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 on success). */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        // A user sees one line for a failure, never a stack trace.
        commandLine.setExecutionExceptionHandler((exception, cl, parseResult) -> {
            cl.getErr().println("pinn " + cl.getCommandName() + ": " + messageOf(exception));
            return 1;
        });
        return commandLine.execute(args);
    }

    private static String messageOf(Throwable exception) {
        String message = exception.getMessage();
        return message == null || message.isBlank() ? exception.getClass().getSimpleName() : message;
    }
}
