package org.opendpm.api.agent;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where {@link AgentLink#readStream} puts the bytes an agent streams. Called on one thread at a time, in stream
 * order; {@link #write} may block for as long as the sink needs: the link stops granting the agent credit meanwhile,
 * so neither the server nor the agent buffers more than the stream's window.
 */
@ConsumerType
public interface StreamSink {

    /** Takes all remaining bytes of {@code data}, which is only valid during the call. */
    void write(ByteBuffer data) throws IOException;
}
