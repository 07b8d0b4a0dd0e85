package org.opendpm.api.agent;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears how far a request to an agent has come. Called on the link's threads, in order: it must return quickly.
 */
@ConsumerType
@FunctionalInterface
public interface ProgressListener {

    /** Calls nobody: for callers that do not follow progress. */
    ProgressListener NONE = (done, total, unit) -> {
    };

    /**
     * @param total -1 when unknown
     * @param unit what is counted, {@code bytes} for streams
     */
    void progress(long done, long total, String unit);
}
