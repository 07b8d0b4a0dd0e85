package org.opendpm.api.agent;

/**
 * A completed {@link AgentLink#readStream}: the byte count and SHA-256 the agent reported, which the link checked
 * against what it wrote to the sink.
 *
 * @param sha256 lower-case hex
 */
public record StreamResult(long bytes, String sha256) {
}
