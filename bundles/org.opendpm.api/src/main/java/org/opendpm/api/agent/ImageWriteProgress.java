package org.opendpm.api.agent;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears how far an image write has come: what the agent confirmed written. Called on the link's threads, in order;
 * it must return quickly.
 */
@ConsumerType
@FunctionalInterface
public interface ImageWriteProgress {

    /**
     * @param confirmedChunks the agent has written every chunk below this number (from the request's
     *            {@code fromChunk}); a resumed write starts here
     * @param bytes uncompressed bytes of those chunks, in this request
     */
    void confirmed(long confirmedChunks, long bytes);
}
