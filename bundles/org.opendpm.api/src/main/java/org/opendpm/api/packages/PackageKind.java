package org.opendpm.api.packages;

/**
 * What a package is (PKG-1); each kind has its identifying data. Service packs, hotfixes and Linux patches are applied
 * before applications in one scenario ({@link #osUpdate()}).
 */
public enum PackageKind {
    /** A Windows service pack: its major/minor version or an ID. */
    SERVICE_PACK,
    /** A Windows hotfix: its MS number or an ID. */
    HOTFIX,
    /** A Linux patch file. */
    LINUX_PATCH,
    /** An application: its display name or an ID. */
    APPLICATION;

    /** Whether this kind updates the operating system, and so goes before applications. */
    public boolean osUpdate() {
        return this != APPLICATION;
    }
}
