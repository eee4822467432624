package pinn.runtime;

import java.util.List;
import pinn.runtime.model.Domain;
import pinn.runtime.model.InputFeature;

/**
 * How the two network inputs are normalised to roughly [−1, 1]: tanh(z / zScale) and
 * (w − wShift) / wScale, where z is the similarity variable and w = σ√τ the total volatility (see
 * {@link SimilarityTransform}).
 */
public record FeatureScaling(double zScale, double wShift, double wScale) {

    /** The names under which the model file stores the features, in input order. */
    static final List<String> NAMES = List.of("tanh(z/scale)", "total-vol");

    public FeatureScaling {
        for (double scale : new double[] {zScale, wScale}) {
            if (!(scale > 0) || !Double.isFinite(scale)) throw new IllegalArgumentException("feature scales must be finite and > 0");
        }
        if (!Double.isFinite(wShift)) throw new IllegalArgumentException("wShift must be finite");
    }

    /** Scaling that maps the domain's range of w = σ√τ onto [−1, 1]. */
    public static FeatureScaling forDomain(Domain domain) {
        double maxW = domain.maxVol() * Math.sqrt(domain.maxExpiry());
        return new FeatureScaling(3.0, maxW / 2, maxW / 2);
    }

    /** The features as the model file stores them. */
    public List<InputFeature> toInputFeatures() {
        return List.of(new InputFeature(NAMES.get(0), 0, zScale), new InputFeature(NAMES.get(1), wShift, wScale));
    }

    /** The scaling a model file describes; refuses features this code does not know. */
    public static FeatureScaling fromInputFeatures(List<InputFeature> features) {
        if (features.size() != NAMES.size()) {
            throw new IllegalArgumentException("expected " + NAMES.size() + " input features " + NAMES + ", found " + features.size());
        }
        for (int i = 0; i < NAMES.size(); i++) {
            if (!features.get(i).name().equals(NAMES.get(i))) {
                throw new IllegalArgumentException("input feature " + i + " is '" + features.get(i).name() + "', expected '" + NAMES.get(i) + "'");
            }
        }
        return new FeatureScaling(features.get(0).scale(), features.get(1).shift(), features.get(1).scale());
    }
}
