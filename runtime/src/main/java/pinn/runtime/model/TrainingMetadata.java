package pinn.runtime.model;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a model was trained: enough to reproduce the run and to judge the result.
 *
 * @param commandLine the command that trained it, as typed; may be empty; at most
 *                    {@link ModelFileFormat#MAX_TEXT_BYTES} UTF-8 bytes
 * @param seed        the random seed of the run
 * @param steps       optimiser steps taken, &ge; 0
 * @param finalLosses the final value of each loss term (e.g. {@code pde-residual},
 *                    {@code terminal}, {@code total}), dimensionless, in the order given; values are
 *                    recorded as they are, NaN or infinite included; at most
 *                    {@link ModelFileFormat#MAX_LOSS_TERMS} entries, names non-empty; an
 *                    unmodifiable, order-preserving copy is kept
 * @param trainedAt   when training finished (stored to the nanosecond)
 * @param notes       free text; the empty string when there are none; at most
 *                    {@link ModelFileFormat#MAX_TEXT_BYTES} UTF-8 bytes
 */
public record TrainingMetadata(String commandLine, long seed, long steps, Map<String, Double> finalLosses,
                               Instant trainedAt, String notes) {

    public TrainingMetadata {
        ModelFileFormat.checkedUtf8Length(commandLine, "command line", ModelFileFormat.MAX_TEXT_BYTES);
        if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        Objects.requireNonNull(finalLosses, "finalLosses");
        if (finalLosses.size() > ModelFileFormat.MAX_LOSS_TERMS) {
            throw new IllegalArgumentException("at most " + ModelFileFormat.MAX_LOSS_TERMS
                    + " loss terms can be stored, got " + finalLosses.size());
        }
        var copy = new LinkedHashMap<String, Double>();
        finalLosses.forEach((name, value) -> {
            ModelFileFormat.checkedUtf8Length(name, "loss name", ModelFileFormat.MAX_NAME_BYTES);
            if (name.isEmpty()) throw new IllegalArgumentException("loss names must not be empty");
            copy.put(name, Objects.requireNonNull(value, () -> "loss " + name + " has no value"));
        });
        finalLosses = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(trainedAt, "trainedAt");
        ModelFileFormat.checkedUtf8Length(notes, "notes", ModelFileFormat.MAX_TEXT_BYTES);
    }

    /** Metadata without notes. */
    public TrainingMetadata(String commandLine, long seed, long steps, Map<String, Double> finalLosses,
                            Instant trainedAt) {
        this(commandLine, seed, steps, finalLosses, trainedAt, "");
    }
}
