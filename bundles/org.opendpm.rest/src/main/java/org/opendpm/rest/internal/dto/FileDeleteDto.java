package org.opendpm.rest.internal.dto;

/** A file to delete on a machine (FIL-1), by its full path there. */
public record FileDeleteDto(String path) {
}
