package org.opendpm.api.inventory;

/** How the server learnt of a machine (INV-4 [2.2.1.1]). */
public enum SeenBy {
    /** PXE boot: MAC and UUID, no IP address. */
    NETWORK_BOOT,
    /** The agent (DPM Client) started: MAC, UUID, IP address and, usually, the machine name. */
    AGENT
}
