package org.opendpm.api.scenario;

/**
 * The core's Option tab of a scenario (SCN-3).
 *
 * @param forcedRebootBeforeExecution "Forced Execution Of A Reboot Is Performed Before Execution": a machine that is
 *            on is rebooted into the Deploy-OS instead of refusing a scenario that needs it
 * @param powerOffAfterExecution "Turn Off Power After Scenario Execution"
 */
public record ScenarioOptions(boolean forcedRebootBeforeExecution, boolean powerOffAfterExecution) {

    public static final ScenarioOptions DEFAULT = new ScenarioOptions(false, false);
}
