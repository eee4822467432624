package pinn.runtime.engine;

/**
 * Counts of the {@link ModelCache} since it was made.
 *
 * @param hits lookups that found a ready model
 * @param misses lookups that did not (absent, still loading, or failed)
 * @param loads loads (or trainings) started: one per miss of an absent spec, however many threads missed at once
 * @param loadFailures loads that failed
 * @param evictions models dropped to respect the bound
 * @param size models held now, ready or loading
 */
public record CacheStatistics(long hits, long misses, long loads, long loadFailures, long evictions, int size) {

    /** hits / (hits + misses), or NaN before the first lookup. */
    public double hitRatio() {
        long lookups = hits + misses;
        return lookups == 0 ? Double.NaN : (double) hits / lookups;
    }
}
