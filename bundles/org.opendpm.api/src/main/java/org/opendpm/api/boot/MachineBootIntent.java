package org.opendpm.api.boot;

import java.time.Instant;
import java.util.Objects;

/**
 * A machine's stored next-boot intent.
 *
 * @param machineId the managed machine
 * @param intent what it boots next
 * @param setBy who set it: a user name, or a server part such as {@code scheduler}
 * @param setAt when it was set (database precision: milliseconds)
 */
public record MachineBootIntent(long machineId, NextBoot intent, String setBy, Instant setAt) {

    public MachineBootIntent {
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(setBy, "setBy");
        Objects.requireNonNull(setAt, "setAt");
    }
}
