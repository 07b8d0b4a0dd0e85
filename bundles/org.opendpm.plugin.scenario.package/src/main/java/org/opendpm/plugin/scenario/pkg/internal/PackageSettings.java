package org.opendpm.plugin.scenario.pkg.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.opendpm.spi.SettingViolation;

/**
 * The Package tab's settings document (version 1): the packages to install, Restart After Applying, and the transfer.
 * Multicast transfer (with Maximum Targets and Maximum Waiting Time) has its place in the document but is refused
 * until it is built.
 *
 * @param packages registered package ids, in the order the administrator chose (1 to {@value #MAX_PACKAGES})
 * @param restartAfterApplying restart the machine once every package is applied
 */
record PackageSettings(List<Long> packages, boolean restartAfterApplying) {

    static final int MAX_PACKAGES = 32;
    private static final Set<String> KNOWN = Set.of("packages", "restartAfterApplying", "transfer", "maximumTargets",
            "maximumWaitingMinutes");

    record Read(PackageSettings settings, List<SettingViolation> violations) {
    }

    static Read read(Map<String, Object> doc) {
        List<SettingViolation> v = new ArrayList<>();
        if (doc == null) {
            return new Read(null, List.of(new SettingViolation("", "the settings are missing")));
        }
        for (String key : doc.keySet()) {
            if (!KNOWN.contains(key)) {
                v.add(new SettingViolation(key, "is not a setting of the Package tab"));
            }
        }
        List<Long> ids = new ArrayList<>();
        Object p = doc.get("packages");
        if (!(p instanceof List<?> list) || list.isEmpty()) {
            v.add(new SettingViolation("packages", "at least one package is required"));
        } else if (list.size() > MAX_PACKAGES) {
            v.add(new SettingViolation("packages", "at most " + MAX_PACKAGES + " packages, not " + list.size()));
        } else {
            Set<Long> seen = new LinkedHashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Object e = list.get(i);
                if (!(e instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1) {
                    v.add(new SettingViolation("packages[" + i + "]", "is not a package id"));
                } else if (!seen.add(n.longValue())) {
                    v.add(new SettingViolation("packages[" + i + "]", "package " + n.longValue() + " is listed twice"));
                } else {
                    ids.add(n.longValue());
                }
            }
        }
        Object restart = doc.getOrDefault("restartAfterApplying", false);
        if (!(restart instanceof Boolean)) {
            v.add(new SettingViolation("restartAfterApplying", "is true or false"));
        }
        Object transfer = doc.getOrDefault("transfer", "unicast");
        if ("multicast".equals(transfer)) {
            v.add(new SettingViolation("transfer", "Transmit Data By Multicast is not available for packages yet:"
                    + " packages are sent to each machine by unicast"));
        } else if (!"unicast".equals(transfer)) {
            v.add(new SettingViolation("transfer", "is unicast or multicast"));
        }
        for (String limit : List.of("maximumTargets", "maximumWaitingMinutes")) {
            if (doc.get(limit) != null && !"multicast".equals(transfer)) {
                v.add(new SettingViolation(limit, "applies to multicast transfer only"));
            }
        }
        if (!v.isEmpty()) {
            return new Read(null, v);
        }
        return new Read(new PackageSettings(List.copyOf(ids), (Boolean) restart), List.of());
    }
}
