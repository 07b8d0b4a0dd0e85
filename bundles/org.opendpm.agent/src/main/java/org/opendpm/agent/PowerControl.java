package org.opendpm.agent;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/** Carries out {@code power} requests, or only logs them: a developer's workstation is never powered off. */
final class PowerControl {

    private static final Logger LOG = Logger.getLogger(PowerControl.class.getName());

    private final boolean allowed;
    private final Map<String, List<List<String>>> commands;

    PowerControl(boolean allowed, Map<String, List<List<String>>> commands) {
        this.allowed = allowed;
        this.commands = commands;
    }

    /** Whether power actions are carried out (--allow-power, not a simulation). */
    boolean allowed() {
        return allowed;
    }

    boolean knows(String action) {
        return commands.containsKey(action);
    }

    /** Tries the action's commands in order until one succeeds. */
    void carryOut(String action) {
        if (!allowed) {
            LOG.warning("power action " + action + " not carried out: --allow-power not given");
            return;
        }
        for (List<String> command : commands.get(action)) {
            LOG.info("Carrying out power action " + action + ": " + String.join(" ", command));
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).inheritIO()
                        .redirectInput(Platform.nullDevice()).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    LOG.warning(String.join(" ", command) + " still running after 60 s; left running");
                    return;
                }
                if (p.exitValue() == 0) {
                    return;
                }
                LOG.warning(String.join(" ", command) + " failed with exit code " + p.exitValue());
            } catch (IOException e) {
                LOG.warning("Cannot run " + String.join(" ", command) + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.severe("Power action " + action + " failed: no command succeeded");
    }
}
