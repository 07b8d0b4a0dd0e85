package org.opendpm.scheduler.internal.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The full path of a scenario group (SCN-1), {@code /Linux/Web}. The guide gives no naming rule, so scenario groups
 * follow machine groups: blanks around a name are dropped; a name is 1 to {@value #MAX_NAME_LENGTH} characters,
 * without {@code /} (the separator) or control characters, and not {@code .} or {@code ..} (paths appear in URLs).
 * Names compare case-sensitively. The number of layers is checked by the service against its limit.
 */
record GroupPath(List<String> segments) {

    static final int MAX_NAME_LENGTH = 64;
    static final GroupPath ROOT = new GroupPath(List.of());

    GroupPath {
        segments = List.copyOf(segments);
        for (int i = 0; i < segments.size(); i++) {
            String problem = nameProblem(segments.get(i));
            if (problem != null) {
                throw new IllegalArgumentException("scenario group name " + (i + 1) + " " + problem);
            }
        }
    }

    /** Parses a full path, which starts with {@code /}; {@code "/"} is {@link #ROOT}. */
    static GroupPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a scenario group path is required, e.g. /Linux/Web");
        }
        String s = text.strip();
        if (s.charAt(0) != '/') {
            throw new IllegalArgumentException("scenario group path '" + s + "' must start with '/', e.g. /" + s);
        }
        if (s.length() == 1) {
            return ROOT;
        }
        String[] raw = s.substring(1).split("/", -1);
        List<String> segments = new ArrayList<>(raw.length);
        for (int i = 0; i < raw.length; i++) {
            String name = raw[i].strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("scenario group path '" + s + "' has an empty name at layer "
                        + (i + 1));
            }
            segments.add(name);
        }
        return new GroupPath(segments);
    }

    /** Why {@code name} cannot name a scenario group, or {@code null}. */
    static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (!name.equals(name.strip())) {
            return "'" + name + "' has blanks around it";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "is " + name.length() + " characters long; the limit is " + MAX_NAME_LENGTH;
        }
        int control = Names.indexOfControl(name);
        if (control >= 0) {
            return "contains a control character at position " + (control + 1);
        }
        if (name.indexOf('/') >= 0) {
            return "'" + name + "' contains '/', which a group name may not contain";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not allowed as a group name";
        }
        return null;
    }

    boolean isRoot() {
        return segments.isEmpty();
    }

    int depth() {
        return segments.size();
    }

    String name() {
        return segments.get(segments.size() - 1);
    }

    Optional<GroupPath> parent() {
        return isRoot() ? Optional.empty() : Optional.of(new GroupPath(segments.subList(0, segments.size() - 1)));
    }

    GroupPath child(String name) {
        List<String> longer = new ArrayList<>(segments);
        longer.add(name);
        return new GroupPath(longer);
    }

    @Override
    public String toString() {
        return "/" + String.join("/", segments);
    }
}
