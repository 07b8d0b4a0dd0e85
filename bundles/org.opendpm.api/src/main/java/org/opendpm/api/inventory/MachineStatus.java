package org.opendpm.api.inventory;

/** A managed machine's status (INV-3 [2.2, 4.4.2]); {@link #NONE} is the blank status of an idle machine. */
public enum MachineStatus {
    NONE(""), SCENARIO_EXECUTING("Scenario Executing"), SCENARIO_EXECUTION_ERROR(
            "Scenario Execution Error"), SCENARIO_EXECUTION_STOP("Scenario Execution Stop"), REMOTE_POWER_ON_ERROR(
                    "Remote Power ON Error"), SETTING_AUTOMATIC_UPDATE_TIME("Setting Automatic Update Time");

    private final String label;

    MachineStatus(String label) {
        this.label = label;
    }

    /** The text the console shows; empty for {@link #NONE}. */
    public String label() {
        return label;
    }
}
