package org.opendpm.api.os;

import java.util.Arrays;
import java.util.Optional;

/**
 * Operating system types (OSI-1): the guide's entries (Red Hat Enterprise Linux 3, 4, 5 with VMware ESX and Citrix
 * XenServer; 6; 7) and what is installed today. Each names its answer format and the template file it is rendered
 * from, {@code <key>.ftl}.
 */
public enum OsType {
    /** The guide's first entry, also for VMware ESX and Citrix XenServer of its time. */
    RHEL_5("rhel-5", "Red Hat Enterprise Linux 3, 4, 5", AnswerFormat.KICKSTART, "ks"),
    /** VMware ESX (weasel kickstart). */
    ESX("esx", "VMware ESX", AnswerFormat.KICKSTART, "ks"),
    /** Citrix XenServer (XML answer file). */
    XENSERVER("xenserver", "Citrix XenServer", AnswerFormat.XENSERVER, "answerfile"),
    /** Red Hat Enterprise Linux 6. */
    RHEL_6("rhel-6", "Red Hat Enterprise Linux 6", AnswerFormat.KICKSTART, "ks"),
    /** Red Hat Enterprise Linux 7. */
    RHEL_7("rhel-7", "Red Hat Enterprise Linux 7", AnswerFormat.KICKSTART, "ks"),
    /** Red Hat Enterprise Linux 8 and its rebuilds. */
    RHEL_8("rhel-8", "Red Hat Enterprise Linux, Rocky Linux, AlmaLinux 8", AnswerFormat.KICKSTART, "ks"),
    /** Red Hat Enterprise Linux 9 and its rebuilds. */
    RHEL_9("rhel-9", "Red Hat Enterprise Linux, Rocky Linux, AlmaLinux 9", AnswerFormat.KICKSTART, "ks"),
    /** Debian 12 (bookworm). */
    DEBIAN_12("debian-12", "Debian 12", AnswerFormat.PRESEED, "preseed.cfg"),
    /** Ubuntu 22.04 LTS. */
    UBUNTU_22_04("ubuntu-22.04", "Ubuntu 22.04", AnswerFormat.AUTOINSTALL, "user-data"),
    /** Ubuntu 24.04 LTS. */
    UBUNTU_24_04("ubuntu-24.04", "Ubuntu 24.04", AnswerFormat.AUTOINSTALL, "user-data");

    private final String key;
    private final String displayName;
    private final AnswerFormat format;
    private final String answerFileName;

    OsType(String key, String displayName, AnswerFormat format, String answerFileName) {
        this.key = key;
        this.displayName = displayName;
        this.format = format;
        this.answerFileName = answerFileName;
    }

    /** The key REST, the shell and template file names use ({@code debian-12}). */
    public String key() {
        return key;
    }

    public String displayName() {
        return displayName;
    }

    public AnswerFormat format() {
        return format;
    }

    /** The name the answer file is served and written under. */
    public String answerFileName() {
        return answerFileName;
    }

    /** The template file of this type, below the template folder. */
    public String templateName() {
        return key + ".ftl";
    }

    /** The type of a key, ignoring case. */
    public static Optional<OsType> ofKey(String key) {
        return Arrays.stream(values()).filter(t -> t.key.equalsIgnoreCase(key)).findFirst();
    }
}
