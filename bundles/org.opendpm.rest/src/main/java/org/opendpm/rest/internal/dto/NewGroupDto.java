package org.opendpm.rest.internal.dto;

/** A group to create: its full path (the parent must exist) and, optionally, its network (default: same subnet). */
public record NewGroupDto(String path, NetworkDto network) {
}
