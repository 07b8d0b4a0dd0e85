package org.opendpm.rest.internal.dto;

/** A change of a group: a new name (its sub-groups' paths follow) and/or network; a field left out keeps its value. */
public record GroupChangeDto(String name, NetworkDto network) {
}
