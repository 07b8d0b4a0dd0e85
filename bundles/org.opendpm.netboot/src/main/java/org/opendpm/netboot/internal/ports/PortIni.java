package org.opendpm.netboot.internal.ports;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.opendpm.api.boot.ServerPorts;

/**
 * Reads {@code Port.ini}: {@code Key=Value} lines, keys without regard to case, {@code ;} and {@code #} comments,
 * {@code [section]} headers ignored (the file may carry one), a UTF-8 byte order mark and CRLF tolerated. Every bad
 * line is reported and the key keeps its default, so one typo never stops the server or moves the other ports.
 */
public final class PortIni {

    /** One problem, by line number (1-based) and key. */
    public record Problem(int line, String key, String message) {
        @Override
        public String toString() {
            return "line " + line + (key.isEmpty() ? "" : " (" + key + ")") + ": " + message;
        }
    }

    public record Parsed(ServerPorts ports, List<Problem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    private static final Map<String, Integer> KEYS = new LinkedHashMap<>();
    static {
        ServerPorts d = ServerPorts.DEFAULTS;
        KEYS.put("ftunicast", d.ftUnicast());
        KEYS.put("agenttcp1", d.agentTcp1());
        KEYS.put("agenttcp2", d.agentTcp2());
        KEYS.put("agenttcp3", d.agentTcp3());
        KEYS.put("agentudp", d.agentUdp());
        KEYS.put("agentsearchudp", d.agentSearchUdp());
    }

    private PortIni() {
    }

    public static Parsed parse(String text) {
        Map<String, Integer> values = new LinkedHashMap<>(KEYS);
        Set<String> seen = new HashSet<>();
        List<Problem> problems = new ArrayList<>();
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        String[] lines = body.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")
                    || line.startsWith("[") && line.endsWith("]")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                problems.add(new Problem(n, "", "not Key=Value: '" + printable(line) + "'"));
                continue;
            }
            String key = line.substring(0, eq).strip();
            String lower = key.toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (!values.containsKey(lower)) {
                problems.add(new Problem(n, key, "unknown key; keys are FTUnicast, AgentTcp1, AgentTcp2,"
                        + " AgentTcp3, AgentUdp, AgentSearchUdp"));
                continue;
            }
            if (!seen.add(lower)) {
                problems.add(new Problem(n, key, "given again; the first value stays"));
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                problems.add(new Problem(n, key, "'" + printable(value) + "' is not a port 1-65535; default "
                        + KEYS.get(lower) + " used"));
                continue;
            }
            values.put(lower, port);
        }
        ServerPorts ports = new ServerPorts(values.get("ftunicast"), values.get("agenttcp1"),
                values.get("agenttcp2"), values.get("agenttcp3"), values.get("agentudp"),
                values.get("agentsearchudp"));
        checkTcpClash(ports, problems);
        return new Parsed(ports, problems);
    }

    /** Two TCP services on one port cannot both listen; reported so the admin sees it before a listener fails. */
    private static void checkTcpClash(ServerPorts p, List<Problem> problems) {
        int[] tcp = { p.ftUnicast(), p.agentTcp1(), p.agentTcp2(), p.agentTcp3() };
        String[] names = { "FTUnicast", "AgentTcp1", "AgentTcp2", "AgentTcp3" };
        for (int a = 0; a < tcp.length; a++) {
            for (int b = a + 1; b < tcp.length; b++) {
                if (tcp[a] == tcp[b]) {
                    problems.add(new Problem(0, names[b], "same TCP port " + tcp[b] + " as " + names[a]));
                }
            }
        }
    }

    private static String printable(String s) {
        String p = s.codePoints().map(ch -> ch < 0x20 || ch == 0x7f ? '?' : ch)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return p.length() > 60 ? p.substring(0, 60) + "..." : p;
    }
}
