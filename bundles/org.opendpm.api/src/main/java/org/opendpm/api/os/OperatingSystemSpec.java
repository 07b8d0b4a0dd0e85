package org.opendpm.api.os;

/** What an administrator registers or changes; fields as {@link OperatingSystem}'s. */
public record OperatingSystemSpec(String name, OsType type, String kernel, String initrd, String source) {
}
