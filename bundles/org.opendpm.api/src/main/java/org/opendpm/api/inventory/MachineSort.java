package org.opendpm.api.inventory;

/**
 * The order of a machine list. Ties (the same IP, model, status ...) are broken by name, then by id, so that pages
 * read one after the other neither repeat nor miss a machine.
 */
public enum MachineSort {
    NAME, IP, MAC, MODEL, STATUS, POWER
}
