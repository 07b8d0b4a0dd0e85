package org.opendpm.rest.internal.dto;

/** A password as installers take it, SHA-512 crypt. */
public record PasswordHashDto(String hash) {
}
