package org.opendpm.api.inventory;

/**
 * What {@link InventoryService#registerSeen} did.
 *
 * @param id the New Machine entry's id for {@link Outcome#NEW_MACHINE} and {@link Outcome#NEW_MACHINE_UPDATED},
 *            otherwise the managed machine's id
 */
public record SeenResult(Outcome outcome, long id) {

    public enum Outcome {
        /** Unknown until now: listed under New Machine. */
        NEW_MACHINE,
        /** Already under New Machine: its entry now holds the newer data. */
        NEW_MACHINE_UPDATED,
        /** A managed machine already (by MAC or UUID); its IP address was updated if the agent gave one. */
        KNOWN,
        /** Unknown, and registered straight into a group by GroupAsName.ini or GroupAsIp.ini (INV-7, INV-8). */
        AUTO_REGISTERED
    }
}
