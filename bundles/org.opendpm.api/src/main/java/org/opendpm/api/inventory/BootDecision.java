package org.opendpm.api.inventory;

import java.time.Duration;
import java.util.List;

/**
 * What a machine does right after the network boot registered it (INV-5 [2.2.1.1]).
 */
public enum BootDecision {

    /** The MAC matches {@code forceskip.ini}: the machine goes on to start its local OS. */
    LOCAL_BOOT(false),

    /**
     * Any other machine: the boot screen shows {@link #MESSAGE} counting down from 30, then the
     * machine powers off; F8 opens a menu with Power Down and Local Boot.
     */
    REGISTRATION_MENU(true);

    /** Menu entries offered after F8, in the guide's order. */
    public enum MenuOption {
        POWER_DOWN("Power Down"), LOCAL_BOOT("Local Boot");

        private final String label;

        MenuOption(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The guide's text without the countdown; the boot screen appends {@code " (n)"}. */
    public static final String MESSAGE_TEXT = "This computer has been just registered by the management server.\n"
            + "Press F8 to view menu.";
    /** The guide's text as first shown, with the full countdown. */
    public static final String MESSAGE = MESSAGE_TEXT + " (30)";
    public static final Duration POWER_OFF_AFTER = Duration.ofSeconds(30);
    public static final String MENU_KEY = "F8";

    private final boolean menu;

    BootDecision(boolean menu) {
        this.menu = menu;
    }

    /** The text to show; empty for a local boot. */
    public String message() {
        return menu ? MESSAGE : "";
    }

    /** The text with {@code secondsLeft} in the countdown, e.g. {@code "... Press F8 to view menu. (12)"}. */
    public String message(int secondsLeft) {
        if (!menu) {
            return "";
        }
        if (secondsLeft < 0 || secondsLeft > POWER_OFF_AFTER.toSeconds()) {
            throw new IllegalArgumentException("the countdown runs from " + POWER_OFF_AFTER.toSeconds() + " to 0, not "
                    + secondsLeft);
        }
        return MESSAGE_TEXT + " (" + secondsLeft + ")";
    }

    /** How long until the machine powers itself off; zero for a local boot, which does not. */
    public Duration powerOffAfter() {
        return menu ? POWER_OFF_AFTER : Duration.ZERO;
    }

    /** The F8 menu; empty for a local boot. */
    public List<MenuOption> menuOptions() {
        return menu ? List.of(MenuOption.POWER_DOWN, MenuOption.LOCAL_BOOT) : List.of();
    }
}
