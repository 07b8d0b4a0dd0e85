/**
 * The multicast restore packets of docs/multicast.md, written once for both ends: the sender on the server (Netty,
 * through {@code ByteBuf.nioBuffer()}) and the receiver in the agent (plain {@code java.nio}). {@link
 * org.opendpm.agent.protocol.multicast.PacketCodec} encodes and strictly decodes every {@link
 * org.opendpm.agent.protocol.multicast.Packet}; a datagram it refuses is a {@link
 * org.opendpm.agent.protocol.multicast.BadPacketException}, which each end hands to its {@link
 * org.opendpm.agent.protocol.multicast.BadPacketLog}. No I/O here.
 */
@Version("1.0.0")
@Export
package org.opendpm.agent.protocol.multicast;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
