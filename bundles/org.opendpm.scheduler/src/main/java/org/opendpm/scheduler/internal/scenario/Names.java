package org.opendpm.scheduler.internal.scenario;

import java.util.Locale;

/**
 * What a scenario name may be. The guide gives no rule, so scenarios are named like managed machines: 1 to
 * {@value #MAX_LENGTH} characters, no control characters, no blanks around; unique ignoring letter case, so the shell
 * and error messages can name a scenario.
 */
final class Names {

    static final int MAX_LENGTH = 255;

    private Names() {
    }

    /** Why {@code name} cannot be a scenario name, or {@code null} when it can. */
    static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "A scenario name is required";
        }
        if (!name.equals(name.strip())) {
            return "Scenario name '" + name + "' has blanks around it";
        }
        if (name.length() > MAX_LENGTH) {
            return "Scenario name is " + name.length() + " characters long; the limit is " + MAX_LENGTH;
        }
        int control = indexOfControl(name);
        if (control >= 0) {
            return "Scenario name contains a control character at position " + (control + 1);
        }
        return null;
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** Index of the first control character (C0, DEL, C1, line and paragraph separators), or -1. */
    static int indexOfControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029') {
                return i;
            }
        }
        return -1;
    }
}
