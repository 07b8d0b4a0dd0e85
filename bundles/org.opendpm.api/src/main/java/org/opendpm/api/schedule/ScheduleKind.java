package org.opendpm.api.schedule;

/** What a schedule does when it fires. */
public enum ScheduleKind {
    /** Executes a scenario on the schedule's machines (SCH-1). */
    EXECUTE,
    /** Executes a scenario on every machine of a group, found when the schedule fires (SCH-3). */
    GROUP_EXECUTE,
    /** Powers machines on (Wake-on-LAN through their power control) (SCH-2). */
    POWER_ON,
    /** Shuts machines down (SCH-2). */
    SHUTDOWN;

    /** Whether this kind runs a scenario, and so needs one. */
    public boolean executes() {
        return this == EXECUTE || this == GROUP_EXECUTE;
    }
}
