package org.opendpm.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.inventory.InventoryService;

/** dpm:agent-*: the agent link, its connected agents, closing an agent's connection and withdrawing its credential. */
public final class AgentCommands {

    private AgentCommands() {
    }

    static String status(AgentLinkStatus s) {
        StringBuilder out = new StringBuilder();
        out.append("Agent link: ").append(s.port() == 0 ? "disabled" : "port " + s.port()).append(", ")
                .append(s.connectedAgents()).append(" agents connected\n");
        out.append("Server certificate SHA-256: ").append(s.certificateFingerprint()).append('\n');
        StringBuilder closed = new StringBuilder();
        new TreeMap<>(s.closedByReason()).forEach((reason, n) -> {
            if (n != 0) {
                closed.append(closed.length() == 0 ? "" : ", ").append(reason).append(' ').append(n);
            }
        });
        if (closed.length() > 0) {
            out.append("Closed by the server: ").append(closed).append('\n');
        }
        return out.toString();
    }

    @Service
    @Command(scope = "dpm", name = "agent-list", description = "The agent link's port and certificate fingerprint, and"
            + " the connected agents by MAC with their machine")
    public static class AgentList implements Action {
        @Reference
        AgentLink link;

        @Reference
        InventoryService inventory;

        @Override
        public Object execute() {
            try {
                System.out.print(status(link.status()));
                var table = new ShellTable();
                for (String column : List.of("MAC", "Machine", "Address", "Host", "OS", "Agent", "Running in",
                        "Connected", "Last heartbeat")) {
                    table.column(column);
                }
                Map<Long, String> names = new TreeMap<>();
                for (AgentInfo a : link.agents()) {
                    String machine = a.machineId().map(id -> names.computeIfAbsent(id, this::name))
                            .orElse("(New Machine)");
                    table.addRow().addContent(a.mac(), machine, a.remoteAddress(), a.hostName(), a.os(),
                            a.agentVersion(), a.deployOs() ? "Deploy-OS" : "installed OS",
                            ExecutionCommands.time(a.connectedAt()), ExecutionCommands.time(a.lastHeartbeat()));
                }
                table.print(System.out);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }

        /** A machine deleted while its agent is still connected is shown by id. */
        private String name(long id) {
            try {
                return inventory.machine(id).name();
            } catch (NotFoundException e) {
                return "#" + id + " (deleted)";
            }
        }
    }

    @Service
    @Command(scope = "dpm", name = "agent-reset", description = "Withdraws the credential issued for a MAC and closes"
            + " its agent's session, so an agent can register for it again (after the machine was replaced)")
    public static class AgentReset implements Action {
        @Reference
        AgentLink link;

        @Argument(index = 0, name = "mac", required = true, description = "MAC address, any spelling")
        @Completion(AgentMacCompleter.class)
        String mac;

        @Override
        public Object execute() {
            try {
                // The link reads every spelling of a MAC and says what is wrong with a bad one.
                System.out.println(link.resetCredential(mac)
                        ? "Credential of " + mac
                                + " withdrawn; an agent can register for it again"
                        : "No credential was issued for " + mac);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "agent-disconnect", description = "Closes the connection of a machine's agent now,"
            + " as a network loss would: the agent reconnects as it does after one, and a transfer resumes")
    public static class AgentDisconnect implements Action {
        @Reference
        AgentLink link;

        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "machine", required = true, description = "Machine name")
        @Completion(MachineCommands.MachineNameCompleter.class)
        String machine;

        @Override
        public Object execute() {
            try {
                System.out.println(link.disconnect(MachineCommands.machine(inventory, machine).id())
                        ? "Connection of " + machine + "'s agent closed"
                        : machine + " has no agent connected");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes the MACs of the connected agents. */
    @Service
    public static class AgentMacCompleter implements Completer {
        @Reference
        AgentLink link;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> link.agents().stream().map(AgentInfo::mac).toList(),
                    session, commandLine, candidates);
        }
    }
}
