package org.opendpm.api.inventory;

/** A managed machine's power state as last known (INV-3). */
public enum PowerState {
    ON, OFF, UNKNOWN
}
