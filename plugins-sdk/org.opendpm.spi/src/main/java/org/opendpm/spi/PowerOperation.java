package org.opendpm.spi;

/** A power operation on a managed machine. */
public enum PowerOperation {
    /** Power on. */
    ON,
    /** Shut down the OS if it can, then power off. */
    OFF,
    /** Power off at once (or reset) and power on. */
    RESET
}
