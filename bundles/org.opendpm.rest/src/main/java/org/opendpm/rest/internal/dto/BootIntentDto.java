package org.opendpm.rest.internal.dto;

import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;

/**
 * A machine's next boot. {@code stored} is false for a machine without an intent, which boots its local disk; then
 * {@code setBy} and {@code setAt} are null. {@code setAt} is ISO-8601 UTC.
 */
public record BootIntentDto(long machineId, String intent, String deployOs, String kernel, String initrd,
        String bootArguments, boolean oneShot, boolean stored, String setBy, String setAt) {

    public static BootIntentDto of(MachineBootIntent m) {
        NextBoot i = m.intent();
        return new BootIntentDto(m.machineId(), i.kind().name(), i.deployOs().orElse(null), i.kernel(), i.initrd(),
                i.bootArguments(), i.oneShot(), true, m.setBy(), m.setAt().toString());
    }

    public static BootIntentDto none(long machineId) {
        return new BootIntentDto(machineId, "LOCAL_DISK", null, "", "", "", false, false, null, null);
    }
}
