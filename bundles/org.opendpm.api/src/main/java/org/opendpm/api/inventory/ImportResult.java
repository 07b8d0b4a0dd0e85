package org.opendpm.api.inventory;

/** What a CSV import did: every row imported, and the groups it had to create. */
public record ImportResult(int machines, int groupsCreated) {
}
