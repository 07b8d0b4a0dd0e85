package org.opendpm.rest.internal.dto;

/**
 * A machine seen by network boot or the agent. {@code seenBy} is {@code NETWORK_BOOT} or {@code AGENT}; left out, it
 * is {@code AGENT} when an IP address or name is given.
 */
public record SeenDto(String mac, String uuid, String ip, String name, String seenBy) {
}
