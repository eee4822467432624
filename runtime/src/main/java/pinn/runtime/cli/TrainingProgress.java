package pinn.runtime.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import pinn.runtime.train.Trainer;

/** A terminal progress bar per training phase: step, steps/s, ETA and the loss terms. */
final class TrainingProgress implements Trainer.Listener, AutoCloseable {

    private ProgressBar bar;
    private String phase = "";

    @Override
    public void afterStep(String phase, long step, long phaseSteps, Trainer.Losses losses) {
        if (!phase.equals(this.phase)) {
            close();
            this.phase = phase;
            bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(phaseSteps).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).showSpeed().setUnit(" steps", 1).continuousUpdate().build();
        }
        bar.stepTo(step);
        bar.setExtraMessage(String.format(" loss %.3e (pde %.3e, boundary %.3e)", losses.total(), losses.pde(), losses.boundary()));
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}
