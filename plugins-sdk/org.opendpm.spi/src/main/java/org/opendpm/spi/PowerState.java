package org.opendpm.spi;

/** A machine's power as a {@link PowerDriver} reports it. */
public enum PowerState {
    ON, OFF, UNKNOWN
}
