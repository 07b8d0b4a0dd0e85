package org.opendpm.rest.internal.dto;

/** What to do with a machine's power: {@code on}, {@code off} (shut down) or {@code reboot}. */
public record PowerActionDto(String action) {
}
