package org.opendpm.api.os;

/** The kind of answer file an installer reads. */
public enum AnswerFormat {
    /** Anaconda's kickstart (Red Hat family, VMware ESX's weasel). */
    KICKSTART,
    /** debian-installer's preseed (debconf selections). */
    PRESEED,
    /** Subiquity's autoinstall (YAML, through cloud-init's user-data). */
    AUTOINSTALL,
    /** Citrix XenServer's answer file (XML). */
    XENSERVER
}
