package org.opendpm.api.power;

/** Why a machine uses the power driver it uses, in the order the choice is made. */
public enum PowerDriverChoice {
    /** The machine names its driver. */
    EXPLICIT,
    /** The first installed driver its Deploy-OS model prefers. */
    MODEL,
    /** The server's default ({@code powerDriver} in {@code etc/org.opendpm.power.cfg}). */
    DEFAULT
}
