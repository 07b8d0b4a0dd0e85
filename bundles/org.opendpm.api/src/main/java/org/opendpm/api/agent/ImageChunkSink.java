package org.opendpm.api.agent;

import java.io.IOException;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where {@link AgentLink#readImage} puts the chunks an agent reads and compresses. Called on one thread at a time, in
 * chunk order, with each chunk's CRC-32C already checked; {@link #accept} may block for as long as the sink needs: the
 * link stops granting the agent credit meanwhile.
 */
@ConsumerType
public interface ImageChunkSink {

    /** Called once, before any chunk, with what the agent found of the disks the extents name. */
    void begin(List<ImageDisk> disks) throws IOException;

    /** Takes one chunk; its stored bytes are only valid during the call. */
    void accept(ImageChunk chunk) throws IOException;
}
