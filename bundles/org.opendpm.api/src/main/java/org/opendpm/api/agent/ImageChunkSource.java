package org.opendpm.api.agent;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where {@link AgentLink#writeImage} takes the chunks it sends, in chunk order from the request's {@code fromChunk}.
 * Called on one thread at a time, only while the agent has room for more.
 */
@ConsumerType
public interface ImageChunkSource {

    /**
     * The next chunk with its stored bytes, or null after the last. The chunk is sent before the next call; its
     * buffer may be reused then.
     */
    ImageChunk next() throws IOException;
}
