package org.opendpm.api.settings;

/**
 * The management server's Detail Setting.
 *
 * @param useDhcpServer "Use A DHCP Server": without one, new machines are found only through the agent
 * @param imageFolder "Folder for Image": where images, packages and exports are kept (absolute path)
 * @param checkCompletionByAgent "Check the completion of a scenario by the communication with DPM Client"
 * @param machinesForSimultaneousExecution at most this many machines run a scenario at once (1..1000)
 * @param remotePowerOnTimeoutMinutes a machine not up within this many minutes after power on is in "Remote Power ON
 *            Error" (1..60)
 * @param scenarioTimeoutMinutes a scenario not finished within this many minutes ends in a time-out error
 *            (1..10080)
 * @param defaultDeployOs the Deploy-OS of machines whose model resolves to none ("Use Default Value")
 */
public record ServerSettings(boolean useDhcpServer, String imageFolder, boolean checkCompletionByAgent,
        int machinesForSimultaneousExecution, int remotePowerOnTimeoutMinutes, int scenarioTimeoutMinutes,
        String defaultDeployOs) {

    public static final int DEFAULT_MACHINES_FOR_SIMULTANEOUS_EXECUTION = 5;
    public static final int DEFAULT_REMOTE_POWER_ON_TIMEOUT_MINUTES = 10;
    public static final int DEFAULT_SCENARIO_TIMEOUT_MINUTES = 120;
    public static final String DEFAULT_DEPLOY_OS = "ia32_110331_26";
}
