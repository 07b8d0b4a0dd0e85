/**
 * The receiver side of multicast restore (docs/multicast.md): {@link org.opendpm.agent.multicast.ChunkAssembler}
 * puts a chunk together from DATA blocks and hands it to the chunk check before anything is written;
 * {@code ReceiverCore} decides what to ask for and when; {@link org.opendpm.agent.multicast.MulticastReceiver} is the
 * datagram channel that puts checked chunks on the {@link org.opendpm.agent.multicast.ChunkDisks}.
 */
package org.opendpm.agent.multicast;
