package org.opendpm.inventory.internal.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a machine whose agent contacts the server is registered automatically (INV-7, INV-8
 * [2.2.2]): by {@code GroupAsName.ini} first — "When both the machine name and the IP address
 * match, DPM prioritizes setup for the machine name" — then by {@code GroupAsIp.ini}; if
 * neither matches, the machine stays in New Machine (INV-4).
 */
public final class AutoRegistration {

    /** Which file decided. */
    public enum Source {
        GROUP_AS_NAME, GROUP_AS_IP
    }

    /**
     * The destination of one machine.
     *
     * @param network the setting to give {@code group} if it has to be created
     * @param line the line of the deciding file, for the log
     */
    public record Destination(GroupPath group, GroupNetwork network, Source source, int line) {

        public Destination {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(source, "source");
            if (group.isRoot()) {
                throw new IllegalArgumentException("a machine is registered to a group, not to the root");
            }
        }

        /**
         * The groups to create, outermost first, given which exist. The guide sets the gateway
         * and mask on "this created group", the destination; missing enclosing groups are
         * created on the same subnet as the server.
         */
        public List<GroupCreation> groupsToCreate(Predicate<GroupPath> exists) {
            List<GroupCreation> result = new ArrayList<>();
            for (GroupPath path : group.selfAndAncestors()) {
                if (!exists.test(path)) {
                    result.add(new GroupCreation(path, path.equals(group) ? network : GroupNetwork.SAME_SUBNET));
                }
            }
            return result;
        }
    }

    /** One group to create and its network setting. */
    public record GroupCreation(GroupPath group, GroupNetwork network) {
    }

    private final GroupAsNameRules byName;
    private final GroupAsIpRules byIp;

    public AutoRegistration(GroupAsNameRules byName, GroupAsIpRules byIp) {
        this.byName = Objects.requireNonNull(byName, "byName");
        this.byIp = Objects.requireNonNull(byIp, "byIp");
    }

    /**
     * The destination of a machine seen with this name and address, or empty when neither file
     * names it.
     *
     * <p>The network setting for a group to be created is the one the deciding line gives, else
     * one any other line gives the same path (name file first, then IP file), else same subnet:
     * the group then comes out alike whichever of its machines arrives first.
     */
    public Optional<Destination> resolve(String machineName, Optional<Ipv4> address) {
        Optional<GroupAsNameRules.Rule> named = byName.match(machineName);
        if (named.isPresent()) {
            GroupAsNameRules.Rule rule = named.get();
            return Optional.of(new Destination(rule.group(), networkFor(rule.group(), rule.network()),
                    Source.GROUP_AS_NAME, rule.line()));
        }
        return address.flatMap(byIp::match).map(rule -> new Destination(rule.group(),
                networkFor(rule.group(), rule.network()), Source.GROUP_AS_IP, rule.line()));
    }

    private GroupNetwork networkFor(GroupPath group, GroupNetwork own) {
        if (own instanceof GroupNetwork.DifferentSubnet) {
            return own;
        }
        return byName.networkFor(group).or(() -> byIp.networkFor(group)).orElse(GroupNetwork.SAME_SUBNET);
    }
}
