package org.opendpm.inventory.internal.rules;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.opendpm.inventory.internal.rules.RegistrationLines.LineError;
import org.opendpm.inventory.internal.rules.RegistrationLines.PathNetworks;

/**
 * {@code GroupAsName.ini} (INV-7 [2.2.2]): which group a machine whose agent reports a given
 * name is registered to.
 *
 * <p>Line format, fields separated by {@code ;} with blanks around each field dropped:
 * {@code DestinationGroupPath;MachineName[;DefaultGateway;SubnetMask]} — 2, 3 or 4 fields;
 * empty optional fields count as not given. The destination is a full path or the old
 * one-name format (see {@link GroupPath#parseLenient}). The gateway and mask only matter when
 * the group does not exist yet; see {@link RegistrationLines#network} for one given alone.
 *
 * <p>The machine name is exact: the guide describes no wildcards for this file, so {@code *}
 * and {@code ?} are refused rather than silently matched literally. Names match ignoring letter
 * case. When a name appears twice the first line wins and the later one is reported as unused.
 */
public final class GroupAsNameRules {

    public static final String FILE_NAME = "GroupAsName.ini";
    public static final GroupAsNameRules EMPTY = new GroupAsNameRules(List.of(), Map.of());

    static final String F_GROUP = "DestinationGroupPath";
    static final String F_NAME = "MachineName";
    static final String F_GATEWAY = "DefaultGateway";
    static final String F_MASK = "SubnetMask";
    private static final String FORMAT = "DestinationGroupPath;MachineName[;DefaultGateway;SubnetMask]";

    /**
     * One usable line.
     *
     * @param network the setting the line itself gives ({@link GroupNetwork#SAME_SUBNET} when it gives none)
     */
    public record Rule(int line, GroupPath group, String machineName, GroupNetwork network) {
        public Rule {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(machineName, "machineName");
            Objects.requireNonNull(network, "network");
        }
    }

    private final List<Rule> rules;
    private final Map<String, Rule> byName;
    private final Map<GroupPath, GroupNetwork> pathNetworks;

    private GroupAsNameRules(List<Rule> rules, Map<GroupPath, GroupNetwork> pathNetworks) {
        this.rules = List.copyOf(rules);
        Map<String, Rule> index = new HashMap<>();
        for (Rule rule : this.rules) {
            index.putIfAbsent(MachineNames.matchKey(rule.machineName()), rule);
        }
        this.byName = Map.copyOf(index);
        this.pathNetworks = Map.copyOf(pathNetworks);
    }

    /** Parses the file's content; lines with errors are reported and left out. Use {@link ParseResult#orThrow()} to refuse a bad edit. */
    public static ParseResult<GroupAsNameRules> parse(String content) {
        List<Rule> rules = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        Map<String, Integer> firstLineOfName = new HashMap<>();
        PathNetworks networks = new PathNetworks();
        for (RuleText.Line line : RuleText.ruleLines(content)) {
            List<Problem> warnings = new ArrayList<>();
            try {
                Rule rule = parseLine(line, warnings);
                networks.check(rule.group(), rule.network(), F_GATEWAY);
                problems.addAll(warnings);
                Integer earlier = firstLineOfName.putIfAbsent(MachineNames.matchKey(rule.machineName()), line.number());
                if (earlier != null) {
                    problems.add(
                            Problem.warning(line.number(), F_NAME, "never used: machine name '" + rule.machineName()
                                    + "' is already matched by line " + earlier));
                }
                networks.add(line.number(), rule.group(), rule.network());
                rules.add(rule);
            } catch (LineError e) {
                problems.add(Problem.error(line.number(), e.field, e.getMessage()));
            }
        }
        return new ParseResult<>(new GroupAsNameRules(rules, networks.toMap()), problems);
    }

    private static Rule parseLine(RuleText.Line line, List<Problem> warnings) {
        List<String> f = RuleText.fields(line.text());
        if (f.size() < 2) {
            throw new LineError(null, "expected at least 2 fields separated by ';' (" + FORMAT + "), found 1");
        }
        if (f.size() > 4) {
            throw new LineError(null, "expected at most 4 fields separated by ';' (" + FORMAT + "), found " + f.size());
        }
        GroupPath group = RegistrationLines.destination(line.number(), f.get(0), F_GROUP, warnings);
        String name = f.get(1);
        String nameProblem = MachineNames.problem(name);
        if (nameProblem != null) {
            throw new LineError(F_NAME, nameProblem);
        }
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0) {
            throw new LineError(F_NAME, "'" + name + "': wildcards are not supported in " + FILE_NAME
                    + "; give the exact machine name (use GroupAsIp.ini for ranges)");
        }
        GroupNetwork network = RegistrationLines.network(line.number(), f.size() > 2 ? f.get(2) : "",
                f.size() > 3 ? f.get(3) : "", F_GATEWAY, F_MASK, warnings);
        return new Rule(line.number(), group, name, network);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rule for a machine name (first line for that name, letter case ignored). */
    public Optional<Rule> match(String machineName) {
        if (machineName == null || machineName.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byName.get(MachineNames.matchKey(machineName.strip())));
    }

    /** The setting to create {@code group} with, from any line of this file naming it; empty if none gives one. */
    public Optional<GroupNetwork> networkFor(GroupPath group) {
        return Optional.ofNullable(pathNetworks.get(group));
    }
}
