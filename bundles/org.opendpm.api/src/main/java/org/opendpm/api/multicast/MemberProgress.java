package org.opendpm.api.multicast;

import org.osgi.annotation.versioning.ConsumerType;

/** Hears how far one member has come. Called on the link's threads, in order; it must return quickly. */
@ConsumerType
@FunctionalInterface
public interface MemberProgress {

    /**
     * @param confirmedChunks how many of the image's chunks the member confirmed written and flushed
     * @param confirmedBytes their uncompressed bytes (holes included)
     */
    void confirmed(long confirmedChunks, long confirmedBytes);
}
