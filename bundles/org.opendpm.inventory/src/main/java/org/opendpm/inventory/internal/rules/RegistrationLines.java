package org.opendpm.inventory.internal.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.opendpm.inventory.internal.rules.GroupNetwork.DifferentSubnet;

/** What {@link GroupAsNameRules} and {@link GroupAsIpRules} parse alike: group path and network fields. */
final class RegistrationLines {

    private RegistrationLines() {
    }

    /** A line-level error, thrown while reading one line and turned into a {@link Problem}. */
    static final class LineError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String field;

        LineError(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    static GroupPath destination(int line, String text, String field, List<Problem> warnings) {
        GroupPath path;
        try {
            path = GroupPath.parseLenient(text);
        } catch (IllegalArgumentException e) {
            throw new LineError(field, e.getMessage());
        }
        if (path.isRoot()) {
            throw new LineError(field, "the destination must be a machine group, not the root '/'");
        }
        if (!text.startsWith("/")) {
            warnings.add(Problem.warning(line, field, "'" + text + "' is the format of DPM before 6.02 and is read as "
                    + path + " (a group directly under the root); write the full path to avoid doubt"));
        }
        return path;
    }

    /**
     * The group's network from the optional gateway and mask fields [2.2.2]: both given means
     * "different subnet" with them; one or neither means "same subnet", as the guide says, with a
     * warning for the lone value since it is then ignored.
     */
    static GroupNetwork network(int line, String gatewayText, String maskText, String gatewayField, String maskField,
            List<Problem> warnings) {
        Ipv4 gateway = null;
        SubnetMask mask = null;
        if (!gatewayText.isEmpty()) {
            try {
                gateway = Ipv4.parse(gatewayText);
            } catch (IllegalArgumentException e) {
                throw new LineError(gatewayField, e.getMessage());
            }
        }
        if (!maskText.isEmpty()) {
            try {
                mask = SubnetMask.parse(maskText);
            } catch (IllegalArgumentException e) {
                throw new LineError(maskField, e.getMessage());
            }
        }
        if (gateway == null && mask == null) {
            return GroupNetwork.SAME_SUBNET;
        }
        if (gateway == null || mask == null) {
            String given = gateway != null ? gatewayField : maskField;
            String missing = gateway != null ? maskField : gatewayField;
            warnings.add(Problem.warning(line, given, given + " is given without " + missing
                    + ", so it is ignored and a new group is created on the same subnet as the server"));
            return GroupNetwork.SAME_SUBNET;
        }
        if (mask.prefixLength() == 0) {
            throw new LineError(maskField, "subnet mask 0.0.0.0 leaves no network for the default gateway");
        }
        try {
            return GroupNetwork.differentSubnet(gateway, mask);
        } catch (IllegalArgumentException e) {
            throw new LineError(gatewayField, e.getMessage());
        }
    }

    /**
     * The network each destination group gets when it has to be created. A line without gateway
     * and mask takes the setting another line gives the same path, so the group comes out the
     * same whichever machine arrives first; two lines giving different settings are an error.
     */
    static final class PathNetworks {
        private record Given(DifferentSubnet network, int line) {
        }

        private final Map<GroupPath, Given> byPath = new HashMap<>();

        /** Checks a line's setting against earlier lines; throws when it contradicts one. */
        void check(GroupPath path, GroupNetwork network, String field) {
            if (!(network instanceof DifferentSubnet different)) {
                return;
            }
            Given earlier = byPath.get(path);
            if (earlier != null && !earlier.network().equals(different)) {
                throw new LineError(field, "group " + path + " is given " + different + " here but " + earlier.network()
                        + " on line " + earlier.line() + "; a group has one network setting");
            }
        }

        void add(int line, GroupPath path, GroupNetwork network) {
            if (network instanceof DifferentSubnet different) {
                byPath.putIfAbsent(path, new Given(different, line));
            }
        }

        Map<GroupPath, GroupNetwork> toMap() {
            Map<GroupPath, GroupNetwork> result = new HashMap<>();
            byPath.forEach((path, given) -> result.put(path, given.network()));
            return Map.copyOf(result);
        }
    }
}
