package org.opendpm.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.multicast.MulticastSessionInfo;
import org.opendpm.api.multicast.MulticastSessionInfo.Member;
import org.opendpm.api.multicast.MulticastSessionInfo.MemberState;
import org.opendpm.api.multicast.MulticastSessionService;

/** dpm:multicast-session-list and dpm:multicast-session-start: multicast restore sessions and Execute Now (IMG-3). */
public final class MulticastSessionCommands {

    private MulticastSessionCommands() {
    }

    /** "pc1 3.0 GiB of 8.0 GiB (37%)", "pc2 dropped: no chunk confirmed for 60 s", one member a line. */
    static String member(Member m) {
        String progress = m.totalBytes() > 0
                ? " " + MachineDisksCommand.size(m.confirmedBytes()) + " of " + MachineDisksCommand.size(m
                        .totalBytes()) + " (" + Math.min(100, m.confirmedBytes() * 100 / m.totalBytes()) + "%)"
                : "";
        String state = m.state() == MemberState.RUNNING ? "" : " " + m.state().name().toLowerCase();
        return m.machineName() + state + (m.state() == MemberState.WAITING ? "" : progress)
                + (m.reason().isEmpty() ? "" : ": " + m.reason());
    }

    static String condition(MulticastSessionInfo s) {
        String targets = s.maximumTargets().isPresent() ? s.maximumTargets().getAsInt() + " targets" : "";
        String waiting = s.maximumWaiting().map(d -> d.toMinutes() + " min").orElse("");
        String both = targets.isEmpty() || waiting.isEmpty() ? targets + waiting : targets + ", " + waiting;
        return both.isEmpty() ? "Execute Now only" : both;
    }

    static ShellTable table(List<MulticastSessionInfo> sessions) {
        var table = new ShellTable();
        for (String column : List.of("Id", "Scenario", "Image", "State", "Condition", "Rate", "Started", "Members",
                "Message")) {
            table.column(column);
        }
        for (MulticastSessionInfo s : sessions) {
            table.addRow().addContent(s.id(), s.scenarioName(), s.imageName(), s.state(), condition(s),
                    s.rateBytesPerSecond() > 0 ? MachineDisksCommand.size(s.rateBytesPerSecond()) + "/s" : "",
                    ExecutionCommands.time(s.started()), s.members().stream().map(MulticastSessionCommands::member)
                            .collect(Collectors.joining("; ")),
                    s.message());
        }
        return table;
    }

    @Service
    @Command(scope = "dpm", name = "multicast-session-list", description = "Multicast restore sessions: waiting and"
            + " running ones, then the latest ended, with their members' progress, dropped members and their reason,"
            + " and the sender's rate")
    public static class MulticastSessionList implements Action {
        @Reference
        MulticastSessionService sessions;

        @Override
        public Object execute() {
            try {
                table(sessions.sessions()).print(System.out);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "multicast-session-start", description = "Execute Now: starts a waiting multicast"
            + " restore session with the machines ready in it, whatever its Maximum Targets and Maximum Waiting Time"
            + " say")
    public static class MulticastSessionStart implements Action {
        @Reference
        MulticastSessionService sessions;

        @Reference
        Session session;

        @Argument(index = 0, name = "id", required = true, description = "session id (dpm:multicast-session-list)")
        long id;

        @Override
        public Object execute() {
            try {
                MulticastSessionInfo s = sessions.start(id, ExecutionCommands.user(session));
                System.out.println("Multicast session " + s.id() + " of " + s.scenarioName() + " (image "
                        + s.imageName() + "): " + s.state() + " with " + s.members().size() + " machine"
                        + (s.members().size() == 1 ? "" : "s") + (s.message().isEmpty() ? "" : ": " + s.message()));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }
}
