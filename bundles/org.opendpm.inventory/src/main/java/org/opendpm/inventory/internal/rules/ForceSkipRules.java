package org.opendpm.inventory.internal.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.opendpm.api.inventory.BootDecision;

/**
 * {@code forceskip.ini} (INV-5 [2.2.1.1]): MAC patterns of machines that, right after the
 * network boot registered them, start their local OS instead of showing the registration
 * message and powering off.
 *
 * <p>File format, from the guide's example ({@code 00-50-56-*}, {@code 00-0C-29-*}): one
 * pattern per line; {@code *} matches any run of characters (also none), {@code ?} exactly one.
 * A pattern is matched, ignoring letter case, against the MAC written as the guide writes it,
 * {@code 00-50-56-AA-BB-CC}. As a convenience a {@code :} in a pattern is read as {@code -},
 * so {@code 00:50:56:*} works too. Blank lines and comment lines are skipped (see
 * {@link RuleText}). A line with any other character is an error and is skipped; a pattern that
 * can never match a MAC in that form (e.g. {@code 005056*}) is a warning.
 *
 * <p>Defaults: when the file does not exist, the rules are {@code *} ("The default is '*'. In
 * this setting, all machines are powered on."). A file that exists but holds no pattern means
 * what it says: no machine is skipped, every one shows the menu and powers off.
 */
public final class ForceSkipRules {

    /** The rules when there is no file: every machine boots its local OS. */
    public static final ForceSkipRules DEFAULT = new ForceSkipRules(List.of(new Pattern(0, "*")));

    /** The form patterns are matched against; {@code H} is one hex digit. */
    private static final String MAC_SHAPE = "HH-HH-HH-HH-HH-HH";

    private final List<Pattern> patterns;

    /** One pattern and the line it came from (0 for the built-in default). */
    public record Pattern(int line, String glob) {

        public Pattern {
            glob = glob.toUpperCase(Locale.ROOT).replace(':', '-');
        }

        public boolean matches(MacAddress mac) {
            return globMatches(glob, mac.toHyphenUpper());
        }
    }

    private ForceSkipRules(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** Parses the file's content; bad lines are reported and left out. */
    public static ParseResult<ForceSkipRules> parse(String content) {
        List<Pattern> patterns = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (RuleText.Line line : RuleText.ruleLines(content)) {
            String text = line.text();
            String bad = null;
            for (int i = 0; i < text.length() && bad == null; i++) {
                char c = text.charAt(i);
                boolean ok = c == '*' || c == '?' || c == '-' || c == ':' || (c >= '0' && c <= '9')
                        || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                if (!ok) {
                    bad = "bad character '" + c + "' at position " + (i + 1)
                            + "; a pattern holds hex digits, '-', '*' and '?', e.g. 00-50-56-*";
                }
            }
            if (bad != null) {
                problems.add(Problem.error(line.number(), "pattern", "'" + text + "': " + bad));
                continue;
            }
            Pattern pattern = new Pattern(line.number(), text);
            if (!canMatchSomeMac(pattern.glob())) {
                problems.add(Problem.warning(line.number(), "pattern", "'" + text
                        + "' can never match: MAC addresses are matched in the form 00-50-56-AA-BB-CC"));
            }
            patterns.add(pattern);
        }
        return new ParseResult<>(new ForceSkipRules(patterns), problems);
    }

    public List<Pattern> patterns() {
        return patterns;
    }

    /** The first pattern matching {@code mac}, in file order; useful to log why a machine booted. */
    public Optional<Pattern> matching(MacAddress mac) {
        return patterns.stream().filter(p -> p.matches(mac)).findFirst();
    }

    /** INV-5: local boot for a listed machine, the registration message and menu for any other. */
    public BootDecision decide(MacAddress mac) {
        return matching(mac).isPresent() ? BootDecision.LOCAL_BOOT : BootDecision.REGISTRATION_MENU;
    }

    /** The file's text for these rules, one pattern per line (what an edit through the API saves). */
    public String toFileContent() {
        StringBuilder sb = new StringBuilder();
        for (Pattern p : patterns) {
            sb.append(p.glob()).append("\r\n");
        }
        return sb.toString();
    }

    /** Classic wildcard match with one back-tracking point per {@code *}; both strings are upper case. */
    static boolean globMatches(String glob, String text) {
        int g = 0;
        int t = 0;
        int starG = -1;
        int starT = 0;
        while (t < text.length()) {
            if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == text.charAt(t))) {
                g++;
                t++;
            } else if (g < glob.length() && glob.charAt(g) == '*') {
                starG = g++;
                starT = t;
            } else if (starG >= 0) {
                g = starG + 1;
                t = ++starT;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    /**
     * Whether some MAC in hyphen form matches: the same wildcard match, run against the shape
     * {@code HH-HH-...} where {@code H} stands for any hex digit.
     */
    static boolean canMatchSomeMac(String glob) {
        int n = MAC_SHAPE.length();
        // reach[j]: the glob prefix processed so far can consume exactly the first j shape characters.
        boolean[] reach = new boolean[n + 1];
        reach[0] = true;
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            boolean[] next = new boolean[n + 1];
            for (int j = 0; j <= n; j++) {
                if (!reach[j]) {
                    continue;
                }
                if (c == '*') {
                    for (int k = j; k <= n; k++) {
                        next[k] = true;
                    }
                } else if (j < n) {
                    boolean hexSlot = MAC_SHAPE.charAt(j) == 'H';
                    boolean fits = c == '?' || (hexSlot ? c != '-' : c == '-');
                    if (fits) {
                        next[j + 1] = true;
                    }
                }
            }
            reach = next;
        }
        return reach[n];
    }
}
