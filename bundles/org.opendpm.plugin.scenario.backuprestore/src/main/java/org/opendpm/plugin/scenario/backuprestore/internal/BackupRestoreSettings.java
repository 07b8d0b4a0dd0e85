package org.opendpm.plugin.scenario.backuprestore.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.opendpm.spi.AgentHandle.Multicast;
import org.opendpm.spi.SettingViolation;

/**
 * The Backup/Restore tab's settings, read from the settings document and checked field by field (the schema in
 * {@link BackupRestoreScenarioType#SCHEMA} says the same for forms).
 *
 * @param partitions partition numbers in the order they are imaged; empty for the whole disk
 * @param multicast the restore's multicast condition (IMG-3), empty for unicast
 */
record BackupRestoreSettings(Operation operation, String imageName, int disk, List<Integer> partitions,
        boolean createVerificationData, Append appendToImageName, boolean compareAfterRestore,
        Optional<Multicast> multicast) {

    static final int MAX_IMAGE_NAME = 200;
    static final int MAX_PARTITION = 256;

    enum Operation {
        BACKUP, RESTORE
    }

    /** What is appended to the image name, so machines running the scenario at once write different images. */
    enum Append {
        NONE("none"), MACHINE_NAME("machine-name"), MAC("mac"), UUID("uuid");

        final String key;

        Append(String key) {
            this.key = key;
        }
    }

    private static final Set<String> FIELDS = Set.of("operation", "imageName", "disk", "partitions",
            "createVerificationData", "appendToImageName", "transfer", "compareAfterRestore", "maximumTargets",
            "maximumWaitingMinutes");

    BackupRestoreSettings {
        partitions = List.copyOf(partitions);
    }

    /** The settings, or every problem with them; {@code violations} is empty exactly when the settings are read. */
    record Read(BackupRestoreSettings settings, List<SettingViolation> violations) {
    }

    static Read read(Map<String, Object> doc) {
        List<SettingViolation> v = new ArrayList<>();
        doc.keySet().stream().filter(k -> !FIELDS.contains(k)).sorted()
                .forEach(k -> v.add(new SettingViolation(k, "unknown setting of the Backup/Restore tab")));

        Operation operation = null;
        Object op = doc.get("operation");
        if (op == null) {
            v.add(new SettingViolation("operation", "required: backup or restore"));
        } else if ("backup".equals(op)) {
            operation = Operation.BACKUP;
        } else if ("restore".equals(op)) {
            operation = Operation.RESTORE;
        } else {
            v.add(new SettingViolation("operation", "must be backup or restore, not " + shown(op)));
        }

        String imageName = null;
        Object name = doc.get("imageName");
        if (!(name instanceof String s)) {
            v.add(new SettingViolation("imageName", name == null ? "required" : "must be a string"));
        } else {
            String problem = fileNameProblem(s, MAX_IMAGE_NAME);
            if (problem != null) {
                v.add(new SettingViolation("imageName", problem));
            } else {
                imageName = s;
            }
        }

        int disk = 1;
        if (doc.containsKey("disk")) {
            Long d = integer(doc.get("disk"));
            if (d == null || d < 1 || d > Integer.MAX_VALUE) {
                v.add(new SettingViolation("disk", "must be a disk number of 1 or more (as the Disk Check reports it),"
                        + " not " + shown(doc.get("disk"))));
            } else {
                disk = d.intValue();
            }
        }

        List<Integer> partitions = List.of();
        Object parts = doc.get("partitions");
        if (parts != null) {
            if (!(parts instanceof List<?> list)) {
                v.add(new SettingViolation("partitions", "must be an array of partition numbers"));
            } else if (list.size() > MAX_PARTITION) {
                v.add(new SettingViolation("partitions", list.size() + " partitions; a disk has at most "
                        + MAX_PARTITION));
            } else {
                Set<Integer> seen = new LinkedHashSet<>();
                for (int i = 0; i < list.size(); i++) {
                    Long p = integer(list.get(i));
                    if (p == null || p < 1 || p > MAX_PARTITION) {
                        v.add(new SettingViolation("partitions." + i, "must be a partition number from 1 to "
                                + MAX_PARTITION + ", not " + shown(list.get(i))));
                    } else if (!seen.add(p.intValue())) {
                        v.add(new SettingViolation("partitions." + i, "partition " + p + " is listed twice"));
                    }
                }
                partitions = List.copyOf(seen);
            }
        }

        boolean verify = bool(doc, "createVerificationData", v);
        boolean compare = bool(doc, "compareAfterRestore", v);

        Append append = Append.NONE;
        Object a = doc.get("appendToImageName");
        if (a != null) {
            append = null;
            for (Append candidate : Append.values()) {
                if (candidate.key.equals(a)) {
                    append = candidate;
                }
            }
            if (append == null) {
                v.add(new SettingViolation("appendToImageName", "must be none, machine-name, mac or uuid, not "
                        + shown(a)));
            }
        }

        boolean multicast = false;
        Object transfer = doc.get("transfer");
        if ("multicast".equals(transfer)) {
            multicast = true;
        } else if (transfer != null && !"unicast".equals(transfer)) {
            v.add(new SettingViolation("transfer", "must be unicast or multicast, not " + shown(transfer)));
        }
        OptionalInt maxTargets = OptionalInt.empty();
        if (doc.get("maximumTargets") != null) {
            Long n = integer(doc.get("maximumTargets"));
            if (n == null || n < 1 || n > Multicast.MAX_TARGETS) {
                v.add(new SettingViolation("maximumTargets", "must be a number of machines from 1 to "
                        + Multicast.MAX_TARGETS + ", not " + shown(doc.get("maximumTargets"))));
            } else if (!multicast) {
                v.add(new SettingViolation("maximumTargets", "applies to a multicast restore only"));
            } else {
                maxTargets = OptionalInt.of(n.intValue());
            }
        }
        Optional<Duration> maxWaiting = Optional.empty();
        if (doc.get("maximumWaitingMinutes") != null) {
            Long n = integer(doc.get("maximumWaitingMinutes"));
            if (n == null || n < 1 || n > Multicast.MAX_WAITING_MINUTES) {
                v.add(new SettingViolation("maximumWaitingMinutes", "must be a number of minutes from 1 to "
                        + Multicast.MAX_WAITING_MINUTES + ", not " + shown(doc.get("maximumWaitingMinutes"))));
            } else if (!multicast) {
                v.add(new SettingViolation("maximumWaitingMinutes", "applies to a multicast restore only"));
            } else {
                maxWaiting = Optional.of(Duration.ofMinutes(n));
            }
        }

        if (operation == Operation.RESTORE) {
            if (!partitions.isEmpty()) {
                v.add(new SettingViolation("partitions", "a restore writes what the image holds; partitions are"
                        + " chosen when backing up"));
            }
            if (verify) {
                v.add(new SettingViolation("createVerificationData", "applies to a backup only"));
            }
        }
        if (operation == Operation.BACKUP && compare) {
            v.add(new SettingViolation("compareAfterRestore", "applies to a restore only"));
        }
        if (operation == Operation.BACKUP && multicast) {
            v.add(new SettingViolation("transfer", "multicast applies to a restore only; a backup is unicast"));
        }
        if (!v.isEmpty()) {
            return new Read(null, List.copyOf(v));
        }
        Optional<Multicast> condition = multicast
                ? Optional.of(new Multicast(maxTargets, maxWaiting))
                : Optional.empty();
        return new Read(new BackupRestoreSettings(operation, imageName, disk, partitions, verify, append, compare,
                condition), List.of());
    }

    /**
     * Why {@code name} is not a plain file name of at most {@code max} characters for the image store, or null.
     */
    static String fileNameProblem(String name, int max) {
        if (name.isEmpty() || name.length() > max) {
            return "must be 1 to " + max + " characters, not " + name.length();
        }
        if (name.isBlank() || !name.strip().equals(name)) {
            return "must not start or end with spaces";
        }
        if (name.startsWith(".")) {
            return "must not start with a dot";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                return "must be a plain file name, without separators or control characters";
            }
        }
        return null;
    }

    private static boolean bool(Map<String, Object> doc, String field, List<SettingViolation> v) {
        Object b = doc.get(field);
        if (b == null) {
            return false;
        }
        if (b instanceof Boolean x) {
            return x;
        }
        v.add(new SettingViolation(field, "must be true or false, not " + shown(b)));
        return false;
    }

    /** A JSON integer as a long (1.0 counts, as in JSON Schema), or null. */
    private static Long integer(Object o) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        try {
            if (o instanceof BigInteger b) {
                return b.longValueExact();
            }
            if (o instanceof Double || o instanceof Float || o instanceof BigDecimal) {
                return new BigDecimal(o.toString()).longValueExact();
            }
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static String shown(Object o) {
        String s = o instanceof String ? "\"" + o + "\"" : String.valueOf(o);
        return s.length() > 60 ? s.substring(0, 59) + "…" : s;
    }
}
