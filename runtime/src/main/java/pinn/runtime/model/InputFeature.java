package pinn.runtime.model;

/**
 * One network input and how it is normalised before it enters the network:
 * {@code normalised = (raw − shift) / scale}.
 *
 * <p>The format does not fix which features a model uses; a Black-Scholes model might declare
 * {@code log-moneyness}, {@code tau}, {@code sigma} and {@code r}. The shift is in the raw
 * feature's own unit (e.g. years for τ, a decimal for σ), the scale too, so the normalised value
 * is dimensionless.
 *
 * @param name  what the feature is, non-empty, at most {@link ModelFileFormat#MAX_NAME_BYTES} UTF-8 bytes
 * @param shift subtracted from the raw value, finite, in the raw feature's unit
 * @param scale the shifted value is divided by it; finite and non-zero, in the raw feature's unit
 */
public record InputFeature(String name, double shift, double scale) {

    public InputFeature {
        ModelFileFormat.checkedUtf8Length(name, "input feature name", ModelFileFormat.MAX_NAME_BYTES);
        if (name.isEmpty()) throw new IllegalArgumentException("input feature name must not be empty");
        if (!Double.isFinite(shift)) {
            throw new IllegalArgumentException("shift must be finite, was " + shift);
        }
        if (!Double.isFinite(scale) || scale == 0) {
            throw new IllegalArgumentException("scale must be finite and non-zero, was " + scale);
        }
    }

    /** The value the network sees for the raw value {@code raw}: {@code (raw − shift) / scale}. */
    public double normalise(double raw) {
        return (raw - shift) / scale;
    }

    /** The raw value for a normalised one: {@code normalised · scale + shift}. */
    public double denormalise(double normalised) {
        return normalised * scale + shift;
    }
}
