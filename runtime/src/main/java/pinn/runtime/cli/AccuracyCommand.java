package pinn.runtime.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pinn.autodiff.Workspace;
import pinn.kernels.VectorBackend;
import pinn.runtime.DefaultModel;
import pinn.runtime.PricingNetwork;
import pinn.runtime.accuracy.AccuracyGrid;
import pinn.runtime.accuracy.AccuracyReport;
import pinn.runtime.accuracy.ErrorHeatMap;
import pinn.runtime.accuracy.Quantity;
import pinn.runtime.accuracy.ResidualSurvey;
import pinn.runtime.engine.SelfCheck;
import pinn.runtime.model.ModelFile;

/** {@code ./pinn accuracy}: the model against the analytic formula on a dense grid over its domain. */
@Command(name = "accuracy", mixinStandardHelpOptions = true,
        description = "Compare a model with the analytic Black-Scholes formula on a dense grid over its domain.")
final class AccuracyCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Model file (default: the shipped default model).")
    Path model;

    @Option(names = "--plot", description = "Write a heat map of the price error to this PNG, and one of the delta error beside it (NAME-delta.png).")
    Path plot;

    @Override
    public Integer call() throws Exception {
        ModelFile file = model == null ? DefaultModel.file() : ModelFile.read(model);
        try (VectorBackend backend = new VectorBackend(); PricingNetwork network = PricingNetwork.fromModelFile(backend, file);
             Workspace workspace = new Workspace(backend)) {
            AccuracyReport report = AccuracyReport.evaluate(points -> network.priceCalls(points, workspace), AccuracyGrid.over(network.domain()));
            System.out.println("model: " + (model == null ? "default model" : model) + ", trained by: " + file.metadata().commandLine());
            System.out.print(report.format());
            System.out.print(ResidualSurvey.evaluate(points -> network.priceCalls(points, workspace), AccuracyGrid.over(network.domain()))
                    .format(SelfCheck.DEFAULT.tolerance()));
            if (plot != null) {
                ErrorHeatMap.write(report, Quantity.PRICE, plot);
                Path deltaPlot = plot.resolveSibling(plot.getFileName().toString().replaceFirst("(\\.png)?$", "-delta.png"));
                ErrorHeatMap.write(report, Quantity.DELTA, deltaPlot);
                System.out.println("heat maps written to " + plot + " and " + deltaPlot);
            }
            return report.meetsTargets() ? 0 : 2;
        }
    }
}
