package org.opendpm.rest.internal.dto;

/** A sign-in: user name and password. */
public record LoginDto(String user, String password) {
}
