package org.opendpm.rest.internal.dto;

/** A new name. */
public record RenameDto(String name) {
}
