package org.opendpm.inventory.internal.rules;

import java.util.Locale;

/**
 * What a managed machine's name may be. The guide gives no rule, so: 1 to
 * {@value #MAX_LENGTH} characters (room for a fully qualified host name), no control
 * characters, no blanks around it. Names are matched without regard to letter case, as
 * Windows and DNS host names are.
 */
public final class MachineNames {

    public static final int MAX_LENGTH = 255;

    private MachineNames() {
    }

    /** Why {@code name} cannot be a machine name, or {@code null} when it can. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "a machine name is required";
        }
        if (!name.equals(name.strip())) {
            return "machine name '" + name + "' has blanks around it";
        }
        if (name.length() > MAX_LENGTH) {
            return "machine name is " + name.length() + " characters long; the limit is " + MAX_LENGTH;
        }
        int control = RuleText.indexOfControl(name);
        if (control >= 0) {
            return "machine name contains a control character at position " + (control + 1);
        }
        return null;
    }

    /** The key under which names are compared: case-insensitive, locale-independent. */
    public static String matchKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
