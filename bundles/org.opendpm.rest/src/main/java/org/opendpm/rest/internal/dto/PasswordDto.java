package org.opendpm.rest.internal.dto;

/** A new password. */
public record PasswordDto(String password) {
}
