package org.opendpm.api.agent;

/** What an agent is asked to do with its machine's power. */
public enum AgentPowerAction {
    SHUTDOWN, REBOOT
}
