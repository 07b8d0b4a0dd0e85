package org.opendpm.inventory.internal.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The full path of a machine group (INV-2), such as {@code /Group2/Subgroup21}; {@link #ROOT}
 * ({@code /}) stands for "Machines" itself, which holds the top-level groups but no machines.
 *
 * <p>Rules for a group name (a segment), decided here because the guide defers to the Web
 * Console reference, which we do not have: blanks around a name are dropped; a name is 1 to
 * {@value #MAX_NAME_LENGTH} characters; it may not contain {@code /} (the separator), {@code ;}
 * (the field separator of {@code GroupAsName.ini}/{@code GroupAsIp.ini}, so every group can be
 * named there) or control characters; it may not be {@code .} or {@code ..} (paths appear in
 * URLs); and no top-level group may be called "New Machine" (any case), which is the list of
 * unregistered machines (INV-4). Names compare case-sensitively.
 */
public record GroupPath(List<String> segments) {

    /** INV-1 [2.1]: total number of machine groups, sub-groups included. */
    public static final int MAX_GROUPS = 1000;
    /** INV-1 [2.1]: number of machine group layers. */
    public static final int MAX_LAYERS = 20;
    /** INV-1 [2.1]: total number of managed machines in all groups. */
    public static final int MAX_MACHINES = 40000;
    /** Longest group name (one segment), in characters. */
    public static final int MAX_NAME_LENGTH = 64;
    /** The pseudo-group of machines seen but not yet registered (INV-4). */
    public static final String NEW_MACHINE = "New Machine";

    public static final GroupPath ROOT = new GroupPath(List.of());

    public GroupPath {
        segments = List.copyOf(segments);
        if (segments.size() > MAX_LAYERS) {
            throw new IllegalArgumentException("group path has " + segments.size() + " layers; the limit is "
                    + MAX_LAYERS + " layers of machine groups");
        }
        for (int i = 0; i < segments.size(); i++) {
            String problem = nameProblem(segments.get(i), i == 0);
            if (problem != null) {
                throw new IllegalArgumentException("group name " + (i + 1) + " " + problem);
            }
        }
    }

    /** Parses a full path, which starts with {@code /}; {@code "/"} is {@link #ROOT}. */
    public static GroupPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a group path is required, e.g. /Group2/Subgroup21");
        }
        String s = text.strip();
        if (s.charAt(0) != '/') {
            throw new IllegalArgumentException("group path '" + s + "' must start with '/', e.g. /" + s);
        }
        return fromSegments(s, s.substring(1));
    }

    /**
     * Parses the destination group of {@code GroupAsName.ini}/{@code GroupAsIp.ini}: a full path,
     * or the old format (before DPM 6.02) without the leading {@code /}, which the guide says
     * names a group directly under the root ("a machine group is created directly under
     * Machines icon") — so {@code Group1} is {@code /Group1}. A slash inside an old-format value
     * is read as a path from the root as well.
     */
    public static GroupPath parseLenient(String text) {
        if (text != null && !text.isBlank() && text.strip().charAt(0) != '/') {
            String s = text.strip();
            return fromSegments(s, s);
        }
        return parse(text);
    }

    private static GroupPath fromSegments(String original, String body) {
        if (body.isEmpty()) {
            return ROOT;
        }
        String[] raw = body.split("/", -1);
        List<String> segments = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            String name = raw[i].strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("group path '" + original + "' has an empty group name at layer "
                        + (i + 1) + (i == raw.length - 1 ? " (remove the trailing '/')" : " (remove the doubled '/')"));
            }
            segments.add(name);
        }
        try {
            return new GroupPath(segments);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("group path '" + original + "': " + e.getMessage(), e);
        }
    }

    /** Why {@code name} cannot name a group, or {@code null}; {@code topLevel} for a group directly under the root. */
    static String nameProblem(String name, boolean topLevel) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (!name.equals(name.strip())) {
            return "'" + name + "' has blanks around it";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "'" + name + "' is " + name.length() + " characters long; the limit is " + MAX_NAME_LENGTH;
        }
        int control = RuleText.indexOfControl(name);
        if (control >= 0) {
            return "contains a control character at position " + (control + 1);
        }
        if (name.indexOf('/') >= 0 || name.indexOf(';') >= 0) {
            return "'" + name + "' contains '" + (name.indexOf('/') >= 0 ? '/' : ';')
                    + "', which a group name may not contain";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not allowed as a group name";
        }
        if (topLevel && name.toLowerCase(Locale.ROOT).equals(NEW_MACHINE.toLowerCase(Locale.ROOT))) {
            return "'" + name + "' is reserved for the list of unregistered machines";
        }
        return null;
    }

    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** Number of layers: 0 for the root, 1 for {@code /Group1}. */
    public int depth() {
        return segments.size();
    }

    /** The last segment; the root has no name. */
    public String name() {
        if (isRoot()) {
            throw new IllegalStateException("the root group has no name");
        }
        return segments.get(segments.size() - 1);
    }

    /** The enclosing group ({@link #ROOT} for a top-level group); empty for the root itself. */
    public Optional<GroupPath> parent() {
        return isRoot() ? Optional.empty() : Optional.of(new GroupPath(segments.subList(0, segments.size() - 1)));
    }

    /** A sub-group; fails with the reason when the name is invalid or the 20-layer limit is passed. */
    public GroupPath child(String name) {
        List<String> longer = new ArrayList<>(segments);
        longer.add(name);
        return new GroupPath(longer);
    }

    /** This path and every enclosing group except the root, outermost first: the order in which to create them. */
    public List<GroupPath> selfAndAncestors() {
        List<GroupPath> result = new ArrayList<>(segments.size());
        for (int i = 1; i <= segments.size(); i++) {
            result.add(new GroupPath(segments.subList(0, i)));
        }
        return result;
    }

    /** Whether {@code other} is this group or lies below it. */
    public boolean contains(GroupPath other) {
        return other.segments.size() >= segments.size() && other.segments.subList(0, segments.size()).equals(segments);
    }

    @Override
    public String toString() {
        return isRoot() ? "/" : "/" + String.join("/", segments);
    }
}
