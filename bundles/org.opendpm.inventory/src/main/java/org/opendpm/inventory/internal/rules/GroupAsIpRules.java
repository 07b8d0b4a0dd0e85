package org.opendpm.inventory.internal.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.opendpm.inventory.internal.rules.GroupNetwork.DifferentSubnet;
import org.opendpm.inventory.internal.rules.RegistrationLines.LineError;
import org.opendpm.inventory.internal.rules.RegistrationLines.PathNetworks;

/**
 * {@code GroupAsIp.ini} (INV-8 [2.2.2]): which group a machine whose agent reports a given IP
 * address is registered to.
 *
 * <p>Line format, fields separated by {@code ;} with blanks around each field dropped:
 * {@code DestinationGroupPath;IP[;SubnetMask][;DefaultGateway;GroupSubnetMask]}. The fields
 * are positional, as in the guide's format line, where the third field is always the range
 * mask: 2 fields = one address ({@code /Group1;192.168.1.1}); 3 = a network, meaning its host
 * addresses without network and broadcast address ({@code /Group2;192.168.0.0;255.255.0.0} is
 * 192.168.0.1 to 192.168.255.254); 4 or 5 add the new group's gateway and mask. For one
 * address with a gateway and mask, leave the third field empty:
 * {@code /G;10.0.0.5;;10.0.0.1;255.0.0.0}.
 *
 * <p>The address given with a mask must be the network address (host bits zero): a value like
 * {@code 192.168.1.10;255.255.255.0} is refused, with the network address suggested, instead of
 * guessing what was meant. Lines are tried in file order and the first match wins, so put
 * narrow ranges before wide ones; a line whose whole range an earlier line already covers is
 * reported as unused.
 */
public final class GroupAsIpRules {

    public static final String FILE_NAME = "GroupAsIp.ini";
    public static final GroupAsIpRules EMPTY = new GroupAsIpRules(List.of(), Map.of());

    static final String F_GROUP = "DestinationGroupPath";
    static final String F_IP = "IP";
    static final String F_MASK = "SubnetMask";
    static final String F_GATEWAY = "DefaultGateway";
    static final String F_GROUP_MASK = "GroupSubnetMask";
    private static final String FORMAT = "DestinationGroupPath;IP[;SubnetMask][;DefaultGateway;SubnetMask]";

    /**
     * One usable line.
     *
     * @param addresses the machine addresses the line covers
     * @param network the setting the line itself gives ({@link GroupNetwork#SAME_SUBNET} when it gives none)
     */
    public record Rule(int line, GroupPath group, Ipv4Range addresses, GroupNetwork network) {
        public Rule {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(addresses, "addresses");
            Objects.requireNonNull(network, "network");
        }

        public boolean matches(Ipv4 address) {
            return addresses.contains(address);
        }
    }

    private final List<Rule> rules;
    private final Map<GroupPath, GroupNetwork> pathNetworks;

    private GroupAsIpRules(List<Rule> rules, Map<GroupPath, GroupNetwork> pathNetworks) {
        this.rules = List.copyOf(rules);
        this.pathNetworks = Map.copyOf(pathNetworks);
    }

    /** Parses the file's content; lines with errors are reported and left out. Use {@link ParseResult#orThrow()} to refuse a bad edit. */
    public static ParseResult<GroupAsIpRules> parse(String content) {
        List<Rule> rules = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        PathNetworks networks = new PathNetworks();
        for (RuleText.Line line : RuleText.ruleLines(content)) {
            List<Problem> warnings = new ArrayList<>();
            try {
                Rule rule = parseLine(line, warnings);
                networks.check(rule.group(), rule.network(), F_GATEWAY);
                problems.addAll(warnings);
                rules.stream().filter(earlier -> earlier.addresses().covers(rule.addresses())).findFirst()
                        .ifPresent(earlier -> problems
                                .add(Problem.warning(line.number(), F_IP, "never used: every address of "
                                        + rule.addresses() + " is already matched by line " + earlier.line())));
                networks.add(line.number(), rule.group(), rule.network());
                rules.add(rule);
            } catch (LineError e) {
                problems.add(Problem.error(line.number(), e.field, e.getMessage()));
            }
        }
        return new ParseResult<>(new GroupAsIpRules(rules, networks.toMap()), problems);
    }

    private static Rule parseLine(RuleText.Line line, List<Problem> warnings) {
        List<String> f = RuleText.fields(line.text());
        if (f.size() < 2) {
            throw new LineError(null, "expected at least 2 fields separated by ';' (" + FORMAT + "), found 1");
        }
        if (f.size() > 5) {
            throw new LineError(null, "expected at most 5 fields separated by ';' (" + FORMAT + "), found " + f.size());
        }
        GroupPath group = RegistrationLines.destination(line.number(), f.get(0), F_GROUP, warnings);
        Ipv4 ip;
        try {
            ip = Ipv4.parse(f.get(1));
        } catch (IllegalArgumentException e) {
            throw new LineError(F_IP, e.getMessage());
        }
        String maskText = f.size() > 2 ? f.get(2) : "";
        Ipv4Range addresses;
        if (maskText.isEmpty()) {
            Optional<String> notHost = ip.hostProblem();
            if (notHost.isPresent()) {
                throw new LineError(F_IP, notHost.get() + ", not a machine's address");
            }
            addresses = Ipv4Range.single(ip);
        } else {
            SubnetMask mask;
            try {
                mask = SubnetMask.parse(maskText);
            } catch (IllegalArgumentException e) {
                String hint = f.size() == 4
                        ? "; for one address with a gateway and mask leave this field empty: "
                                + f.get(0) + ";" + f.get(1) + ";;" + f.get(2) + ";" + f.get(3)
                        : "";
                throw new LineError(F_MASK, e.getMessage() + hint);
            }
            try {
                addresses = Ipv4Range.hostsOf(ip, mask);
            } catch (IllegalArgumentException e) {
                throw new LineError(F_IP, e.getMessage() + "; did you mean " + ip.network(mask) + ";" + mask + "?");
            }
        }
        GroupNetwork network = RegistrationLines.network(line.number(), f.size() > 3 ? f.get(3) : "",
                f.size() > 4 ? f.get(4) : "", F_GATEWAY, F_GROUP_MASK, warnings);
        if (network instanceof DifferentSubnet different) {
            SubnetMask groupMask = different.subnetMask();
            Ipv4 groupNet = different.defaultGateway().network(groupMask);
            if (!addresses.first().network(groupMask).equals(groupNet)
                    || !addresses.last().network(groupMask).equals(groupNet)) {
                warnings.add(Problem.warning(line.number(), F_GATEWAY, "addresses " + addresses
                        + " are not all in the group's subnet " + groupNet + "/" + groupMask
                        + ", so those machines may not reach gateway " + different.defaultGateway()));
            }
        }
        return new Rule(line.number(), group, addresses, network);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The first line, in file order, whose addresses include {@code address}. */
    public Optional<Rule> match(Ipv4 address) {
        if (address == null) {
            return Optional.empty();
        }
        return rules.stream().filter(r -> r.matches(address)).findFirst();
    }

    /** The setting to create {@code group} with, from any line of this file naming it; empty if none gives one. */
    public Optional<GroupNetwork> networkFor(GroupPath group) {
        return Optional.ofNullable(pathNetworks.get(group));
    }
}
