package org.opendpm.inventory.internal.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The machine import and export file (INV-9 [2.2]).
 *
 * <h2>Format</h2>
 * <ul>
 * <li>UTF-8 (a leading byte order mark, as Excel writes, is ignored), RFC 4180: comma
 * separated, a field containing a comma, quote or line break is put in double quotes with
 * quotes doubled. Lines may end in CRLF, LF or CR. Blanks around every value are dropped.
 * <li>The first line is the header. Columns are matched by name (letter case and blanks
 * ignored), in any order: {@value #GROUP_PATH}, {@value #NAME}, {@value #MACS} are required,
 * {@value #UUID}, {@value #IP}, {@value #MODEL}, {@value #DEPLOY_OS} may be left out. An
 * unknown or repeated column name refuses the file.
 * <li>{@value #GROUP_PATH}: full path of the destination group, {@code /Group2/Subgroup21}.
 * <li>{@value #NAME}: machine name (see {@link MachineNames}).
 * <li>{@value #MACS}: one or more MAC addresses in any form {@link MacAddress} accepts,
 * separated by blanks or {@code |}. The primary NIC (Wake-on-LAN, network boot) is the one
 * marked {@code (*)} right after it, as the console shows it ({@code 00:50:56:aa:bb:cc(*)});
 * unmarked, the first is primary. More than one mark is an error.
 * <li>{@value #UUID}: optional, any form {@link MachineUuid} accepts.
 * <li>{@value #IP}: optional (a machine registered by network boot has none yet), IPv4.
 * <li>{@value #MODEL}: optional machine model, free text.
 * <li>{@value #DEPLOY_OS}: optional Deploy-OS name; empty means the server's default.
 * <li>Lines with every field empty (spreadsheets leave them at the end) are skipped.
 * </ul>
 * A MAC or a (non-placeholder) UUID on two rows is an error naming both lines. The file may not
 * hold more machines or groups than INV-1 allows at all; whether they fit into the current
 * inventory is for the caller to check. Every problem is collected, with its line and column
 * name, so one round of fixes is enough; the import is all-or-nothing ({@link ParseResult#orThrow()}).
 *
 * <p>The writer emits all seven columns in the order above, CRLF line ends, no byte order mark,
 * every MAC with the primary marked, so an export imports back unchanged. It does not neutralise
 * values that a spreadsheet would read as formulas ({@code =...}), since that would change the
 * names on the way back in.
 */
public final class MachineCsv {

    public static final String GROUP_PATH = "group_path";
    public static final String NAME = "name";
    public static final String MACS = "macs";
    public static final String UUID = "uuid";
    public static final String IP = "ip";
    public static final String MODEL = "model";
    public static final String DEPLOY_OS = "deploy_os";

    /** All columns, in the order the writer uses. */
    public static final List<String> COLUMNS = List.of(GROUP_PATH, NAME, MACS, UUID, IP, MODEL, DEPLOY_OS);
    public static final Set<String> REQUIRED_COLUMNS = Set.of(GROUP_PATH, NAME, MACS);
    /** Marks the primary NIC in {@value #MACS}. */
    public static final String PRIMARY_MARK = "(*)";

    /** One machine read from the file, with the line where its record starts. */
    public record Row(int line, MachineEntry machine) {
    }

    private MachineCsv() {
    }

    /** Reads a whole file; the result holds the good rows and every problem found. */
    public static ParseResult<List<Row>> parse(String content) {
        CsvRecords.Parsed parsed = CsvRecords.read(content);
        List<Problem> problems = new ArrayList<>(parsed.problems());
        List<CsvRecords.CsvRecord> records = parsed.records();
        if (records.isEmpty() || records.get(0).isBlank()) {
            problems.add(Problem.error(1, null, "the file has no header row; the first line must name the columns: "
                    + String.join(",", COLUMNS)));
            return new ParseResult<>(List.of(), problems);
        }
        CsvRecords.CsvRecord headerRecord = records.get(0);
        Map<String, Integer> columns = header(headerRecord, problems);
        if (columns == null) {
            return new ParseResult<>(List.of(), problems);
        }
        List<Row> rows = new ArrayList<>();
        Map<MacAddress, Integer> macLines = new HashMap<>();
        Map<MachineUuid, Integer> uuidLines = new HashMap<>();
        Set<GroupPath> groups = new HashSet<>();
        int machines = 0;
        for (CsvRecords.CsvRecord record : records.subList(1, records.size())) {
            if (record.isBlank()) {
                continue;
            }
            machines++;
            if (machines == GroupPath.MAX_MACHINES + 1) {
                problems.add(Problem.error(record.line(), null, "the file holds more than " + GroupPath.MAX_MACHINES
                        + " machines, the limit of managed machines in total"));
            }
            if (record.fields().size() != headerRecord.fields().size()) {
                problems.add(Problem.error(record.line(), null,
                        "has " + record.fields().size() + " fields but the header has "
                                + headerRecord.fields().size()
                                + " (a comma inside a value needs the value in double quotes)"));
                continue;
            }
            Optional<MachineEntry> entry = row(record, columns, problems);
            if (entry.isEmpty()) {
                continue;
            }
            MachineEntry machine = entry.get();
            boolean duplicate = false;
            for (MacAddress mac : machine.macs()) {
                Integer earlier = macLines.putIfAbsent(mac, record.line());
                if (earlier != null) {
                    problems.add(
                            Problem.error(record.line(), MACS, "MAC address " + mac + " is also on line " + earlier));
                    duplicate = true;
                }
            }
            // Placeholder UUIDs (nil, all-F) identify no machine, so several machines may carry one.
            Optional<MachineUuid> uuid = machine.uuid().filter(u -> !u.isPlaceholder());
            if (uuid.isPresent()) {
                Integer earlier = uuidLines.putIfAbsent(uuid.get(), record.line());
                if (earlier != null) {
                    problems.add(
                            Problem.error(record.line(), UUID, "UUID " + uuid.get() + " is also on line " + earlier));
                    duplicate = true;
                }
            }
            int groupsBefore = groups.size();
            groups.addAll(machine.group().selfAndAncestors());
            if (groupsBefore <= GroupPath.MAX_GROUPS && groups.size() > GroupPath.MAX_GROUPS) {
                problems.add(Problem.error(record.line(), GROUP_PATH, "the file names more than " + GroupPath.MAX_GROUPS
                        + " groups (sub-groups included), the limit of machine groups in total"));
            }
            if (!duplicate) {
                rows.add(new Row(record.line(), machine));
            }
        }
        return new ParseResult<>(List.copyOf(rows), problems);
    }

    /** Column name to index, or {@code null} (with problems added) when the header is unusable. */
    private static Map<String, Integer> header(CsvRecords.CsvRecord header, List<Problem> problems) {
        Map<String, Integer> columns = new LinkedHashMap<>();
        int before = problems.size();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = header.fields().get(i).strip().toLowerCase(Locale.ROOT);
            if (!COLUMNS.contains(name)) {
                problems.add(Problem.error(header.line(), name.isEmpty() ? null : name, "column " + (i + 1)
                        + (name.isEmpty() ? " has no name" : " '" + header.fields().get(i).strip() + "' is unknown")
                        + "; the columns are " + String.join(",", COLUMNS)));
            } else if (columns.putIfAbsent(name, i) != null) {
                problems.add(Problem.error(header.line(), name, "column '" + name + "' appears twice (columns "
                        + (columns.get(name) + 1) + " and " + (i + 1) + ")"));
            }
        }
        for (String required : COLUMNS) {
            if (REQUIRED_COLUMNS.contains(required) && !columns.containsKey(required)) {
                problems.add(Problem.error(header.line(), required, "required column '" + required
                        + "' is missing from the header"));
            }
        }
        return problems.size() == before ? columns : null;
    }

    private static Optional<MachineEntry> row(CsvRecords.CsvRecord record, Map<String, Integer> columns,
            List<Problem> problems) {
        int line = record.line();
        Function<String, String> value = column -> {
            Integer index = columns.get(column);
            return index == null ? "" : record.fields().get(index).strip();
        };
        int before = problems.size();

        GroupPath group = null;
        String groupText = value.apply(GROUP_PATH);
        try {
            group = GroupPath.parse(groupText);
            if (group.isRoot()) {
                problems.add(Problem.error(line, GROUP_PATH, "a machine belongs to a group, not to the root '/'"));
            }
        } catch (IllegalArgumentException e) {
            problems.add(Problem.error(line, GROUP_PATH, e.getMessage()));
        }

        String name = value.apply(NAME);
        String nameProblem = MachineNames.problem(name);
        if (nameProblem != null) {
            problems.add(Problem.error(line, NAME, nameProblem));
        }

        Nics nics = nics(line, value.apply(MACS), problems);

        Optional<MachineUuid> uuid = optional(line, UUID, value.apply(UUID), MachineUuid::parse, problems);
        Optional<Ipv4> ip = optional(line, IP, value.apply(IP), text -> {
            Ipv4 address = Ipv4.parse(text);
            address.hostProblem().ifPresent(p -> {
                throw new IllegalArgumentException(p + ", not a machine's address");
            });
            return address;
        }, problems);
        Optional<String> model = optional(line, MODEL, value.apply(MODEL),
                text -> MachineEntry.checkText(text, "machine model"), problems);
        Optional<String> deployOs = optional(line, DEPLOY_OS, value.apply(DEPLOY_OS),
                text -> MachineEntry.checkText(text, "Deploy-OS"), problems);

        if (problems.size() != before) {
            return Optional.empty();
        }
        // Every field was checked above, so the record's own checks pass.
        return Optional.of(new MachineEntry(group, name, nics.macs(), nics.primary(), uuid, ip, model, deployOs));
    }

    private record Nics(List<MacAddress> macs, MacAddress primary) {
    }

    private static Nics nics(int line, String text, List<Problem> problems) {
        if (text.isEmpty()) {
            problems.add(Problem.error(line, MACS, "at least one MAC address is required"));
            return null;
        }
        List<MacAddress> macs = new ArrayList<>();
        MacAddress primary = null;
        int marks = 0;
        boolean ok = true;
        for (String token : text.split("[\\s|]+")) {
            if (token.isEmpty()) {
                continue;
            }
            boolean marked = token.endsWith(PRIMARY_MARK);
            String macText = marked ? token.substring(0, token.length() - PRIMARY_MARK.length()) : token;
            if (marked && macText.isEmpty()) {
                // A mark standing apart ("00:50:56:aa:bb:cc (*)") belongs to the MAC before it.
                if (macs.isEmpty()) {
                    problems.add(Problem.error(line, MACS, "'" + PRIMARY_MARK + "' must follow a MAC address"));
                    ok = false;
                    continue;
                }
                marks++;
                primary = macs.get(macs.size() - 1);
                continue;
            }
            try {
                MacAddress mac = MacAddress.parse(macText);
                if (macs.contains(mac)) {
                    problems.add(Problem.error(line, MACS, "MAC address " + mac + " is listed twice"));
                    ok = false;
                    continue;
                }
                macs.add(mac);
                if (marked) {
                    marks++;
                    primary = mac;
                }
            } catch (IllegalArgumentException e) {
                problems.add(Problem.error(line, MACS, e.getMessage()));
                ok = false;
            }
        }
        if (marks > 1) {
            problems.add(Problem.error(line, MACS,
                    "only one MAC address may be marked " + PRIMARY_MARK + " as primary, found "
                            + marks));
            ok = false;
        }
        if (!ok) {
            return null;
        }
        if (macs.isEmpty()) {
            problems.add(Problem.error(line, MACS, "at least one MAC address is required"));
            return null;
        }
        return new Nics(macs, primary != null ? primary : macs.get(0));
    }

    private static <T> Optional<T> optional(int line, String column, String text, Function<String, T> parser,
            List<Problem> problems) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parser.apply(text));
        } catch (IllegalArgumentException e) {
            problems.add(Problem.error(line, column, e.getMessage()));
            return Optional.empty();
        }
    }

    /** Writes the header and one line per machine to {@code out}. */
    public static void write(Iterable<MachineEntry> machines, Appendable out) {
        try {
            out.append(String.join(",", COLUMNS)).append("\r\n");
            for (MachineEntry m : machines) {
                String macs = m.macs().stream()
                        .map(mac -> mac.equals(m.primaryMac()) ? mac + PRIMARY_MARK : mac.toString())
                        .collect(Collectors.joining("|"));
                List<String> fields = List.of(m.group().toString(), m.name(), macs,
                        m.uuid().map(MachineUuid::toString).orElse(""), m.ip().map(Ipv4::toString).orElse(""),
                        m.model().orElse(""), m.deployOs().orElse(""));
                out.append(fields.stream().map(CsvRecords::quote).collect(Collectors.joining(","))).append("\r\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The export file's content as a string. */
    public static String write(Iterable<MachineEntry> machines) {
        StringBuilder sb = new StringBuilder();
        write(machines, sb);
        return sb.toString();
    }
}
