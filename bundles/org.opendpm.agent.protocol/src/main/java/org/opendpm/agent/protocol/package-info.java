/**
 * The agent link protocol of docs/agent-protocol.md, written once for both ends: every message as a record of the
 * sealed {@link org.opendpm.agent.protocol.Message} hierarchy, the frame format ({@link
 * org.opendpm.agent.protocol.FrameCodec}) and the one strict JSON mapping of control payloads ({@link
 * org.opendpm.agent.protocol.MessageCodec}). The server (a Netty pipeline) and the agent (blocking sockets) and both
 * test peers use it; nothing here does I/O beyond reading one frame from a stream.
 */
@Version("1.6.0")
@Export
package org.opendpm.agent.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
