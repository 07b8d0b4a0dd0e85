/**
 * The receiver side of multicast restore (docs/multicast.md): {@link org.opendpm.agent.multicast.ChunkAssembler}
 * puts a chunk together from DATA blocks and hands it to the chunk check before anything is written.
 */
package org.opendpm.agent.multicast;
