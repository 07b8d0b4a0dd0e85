package org.opendpm.api.packages;

/** How the machine's agent installs a package's files. */
public enum InstallerKind {
    /** {@code dpkg -i} of its {@code .deb} files (Linux). */
    DEB,
    /** {@code rpm -U} of its {@code .rpm} files (Linux). */
    RPM,
    /** Its install command, run by the machine's shell in a folder holding its files (Linux or Windows). */
    SCRIPT
}
