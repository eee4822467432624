package pinn.runtime.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import pinn.runtime.engine.CacheStatistics;
import pinn.runtime.engine.ModelInfo;
import pinn.runtime.engine.ModelSpec;
import pinn.runtime.model.Domain;
import pinn.runtime.model.TrainingMetadata;

/** The JSON of {@code GET /v1/models}, {@code POST /v1/models} and {@code DELETE /v1/cache}. */
final class ModelViews {

    private ModelViews() {}

    /** {@code GET /v1/models}: the model new requests use, the models the cache holds ready, and the cache's counts. */
    @JsonPropertyOrder({"current", "cached", "cache"})
    record Models(Model current, List<CachedModel> cached, Cache cache) {}

    /** {@code POST /v1/models}: the model now current. */
    record Loaded(Model current) {}

    /** {@code DELETE /v1/cache}: the cache's counts after it was emptied. */
    @JsonPropertyOrder({"cleared", "cache"})
    record Cleared(boolean cleared, Cache cache) {}

    /**
     * A loaded model.
     *
     * @param name its file name, or "default" for the model shipped in the runtime
     * @param layers layer sizes, inputs first
     * @param domain where the network prices (outside it the analytic formula does)
     * @param training how it was trained
     */
    @JsonPropertyOrder({"name", "layers", "domain", "training"})
    record Model(String name, List<Integer> layers, DomainView domain, Training training) {
        static Model of(ModelInfo info) {
            return new Model(info.name(), info.layerSizes(), DomainView.of(info.domain()), Training.of(info.training()));
        }
    }

    /** A model the cache holds, by the spec that keys it. */
    @JsonPropertyOrder({"file", "domain", "hidden", "adamSteps", "seed"})
    record CachedModel(String file, DomainView domain, List<Integer> hidden, int adamSteps, long seed) {
        static CachedModel of(ModelSpec spec) {
            return new CachedModel(spec.fileName(), DomainView.of(spec.domain()), spec.hidden(), spec.adamSteps(), spec.seed());
        }
    }

    /** Inclusive bounds of S/K (moneyness), τ in years (expiry), σ (vol) and r (rate). */
    @JsonPropertyOrder({"moneyness", "expiry", "vol", "rate"})
    record DomainView(Range moneyness, Range expiry, Range vol, Range rate) {
        static DomainView of(Domain d) {
            return new DomainView(new Range(d.minMoneyness(), d.maxMoneyness()), new Range(d.minExpiry(), d.maxExpiry()),
                    new Range(d.minVol(), d.maxVol()), new Range(d.minRate(), d.maxRate()));
        }
    }

    @JsonPropertyOrder({"min", "max"})
    record Range(double min, double max) {}

    /** The training record of a model file; {@code trainedAt} in ISO-8601 UTC. */
    @JsonPropertyOrder({"commandLine", "seed", "steps", "finalLosses", "trainedAt", "notes"})
    record Training(String commandLine, long seed, long steps, Map<String, Double> finalLosses, String trainedAt, String notes) {
        static Training of(TrainingMetadata m) {
            return new Training(m.commandLine(), m.seed(), m.steps(), m.finalLosses(), m.trainedAt().toString(), m.notes());
        }
    }

    /** The model cache's counts; {@code hitRatio} is absent before the first lookup. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"size", "hits", "misses", "hitRatio", "loads", "loadFailures", "evictions"})
    record Cache(int size, long hits, long misses, Double hitRatio, long loads, long loadFailures, long evictions) {
        static Cache of(CacheStatistics s) {
            double ratio = s.hitRatio();
            return new Cache(s.size(), s.hits(), s.misses(), Double.isNaN(ratio) ? null : ratio, s.loads(), s.loadFailures(), s.evictions());
        }
    }
}
