package pinn.runtime.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;
import pinn.kernels.AdamConfig;
import pinn.kernels.NativeMemory;
import pinn.kernels.VectorBackend;
import pinn.runtime.Adam;
import pinn.runtime.Mlp;

/**
 * {@code ./pinn demo}: the tape at work in a few lines. A 1→32→32→1 tanh MLP learns
 * y = sin(3x) on [−1, 1] with Adam; each step records the forward pass on a fresh tape, takes the
 * gradient of the mean squared error by reverse mode, and closes the tape.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Fit a small tanh MLP to sin(3x) with the autodiff tape and print the loss falling.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--steps", description = "Adam steps (default: ${DEFAULT-VALUE}).", defaultValue = "2000")
    int steps;

    @Override
    public Integer call() {
        int points = 256;
        double[] x = new double[points], y = new double[points];
        for (int i = 0; i < points; i++) {
            x[i] = -1 + 2.0 * i / (points - 1);
            y[i] = Math.sin(3 * x[i]);
        }
        long bytesBefore = NativeMemory.bytesHeld();
        try (VectorBackend backend = new VectorBackend(1); Mlp mlp = new Mlp(backend, new int[] {1, 32, 32, 1}, 42)) {
            Adam adam = new Adam(mlp, AdamConfig.withLearningRate(1e-2));
            System.out.printf("fitting sin(3x) on [-1, 1] with a 1-32-32-1 tanh MLP (%d parameters), Adam, %d points%n",
                    mlp.parameterCount(), points);
            int reportEvery = Math.max(1, steps / 10);
            long start = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                try (Tape tape = new Tape(backend)) {
                    Tensor prediction = mlp.forward(tape, tape.tensor(points, 1, x));
                    Tensor loss = tape.mean(tape.square(tape.sub(prediction, tape.tensor(points, 1, y))));
                    adam.step(tape.grad(loss, mlp.parameters()), learningRate(step));
                    if (step == 1 || step % reportEvery == 0) {
                        System.out.printf("step %5d   mean squared error %.3e%n", step, loss.item());
                    }
                }
            }
            System.out.printf("%d steps in %.2f s%n", steps, (System.nanoTime() - start) / 1e9);
        }
        System.out.printf("native memory still held after closing the model: %d bytes%n", NativeMemory.bytesHeld() - bytesBefore);
        return 0;
    }

    private double learningRate(int step) {
        return 1e-2 * Math.pow(1e-2, (double) step / steps);
    }
}
