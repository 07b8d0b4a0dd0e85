package org.opendpm.spi;

/** A power operation on a managed machine. */
public enum PowerOperation {
    ON, OFF, RESET, STATUS
}
