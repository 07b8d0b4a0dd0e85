package org.opendpm.plugin.scenario.backuprestore.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.opendpm.spi.AgentHandle.ImageResult;
import org.opendpm.spi.AgentHandle.Multicast;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepFailedException;

/** The parameters the plan gives the backup and restore steps, read back by their executors, and their log line. */
final class ImageSteps {

    static final String IMAGE = "imageName";
    static final String DISK = "disk";
    static final String PARTITIONS = "partitions";
    static final String VERIFY = "verify";
    static final String COMPARE = "compare";
    static final String TRANSFER = "transfer";
    static final String MULTICAST = "multicast";
    static final String MAX_TARGETS = "maximumTargets";
    static final String MAX_WAITING = "maximumWaitingMinutes";

    private ImageSteps() {
    }

    /**
     * The parameters of a step planned by {@link BackupRestoreScenarioType}, or every problem with them.
     *
     * @param multicast a restore's multicast condition, empty for unicast
     */
    record Parameters(String imageName, int disk, List<Integer> partitions, boolean flag,
            Optional<Multicast> multicast) {
    }

    static List<SettingViolation> problems(Step step, String flag) {
        List<SettingViolation> v = new ArrayList<>();
        read(step.parameters(), flag, v);
        return v;
    }

    /** Reads the parameters; throws a {@link StepFailedException} naming the first problem. */
    static Parameters read(Step step, String flag) {
        List<SettingViolation> v = new ArrayList<>();
        Parameters p = read(step.parameters(), flag, v);
        if (!v.isEmpty()) {
            throw new StepFailedException("Step '" + step.name() + "' has a bad parameter " + v.get(0).field() + ": "
                    + v.get(0).message());
        }
        return p;
    }

    private static Parameters read(Map<String, String> params, String flag, List<SettingViolation> v) {
        String image = params.getOrDefault(IMAGE, "");
        String problem = BackupRestoreSettings.fileNameProblem(image, BackupRestoreScenarioType.MAX_RESOLVED_NAME);
        if (problem != null) {
            v.add(new SettingViolation(IMAGE, problem));
        }
        Integer disk = number(params.get(DISK), 1, Integer.MAX_VALUE, DISK, v);
        List<Integer> partitions = new ArrayList<>();
        String parts = params.getOrDefault(PARTITIONS, "");
        if (!parts.isEmpty()) {
            String[] items = parts.split(",", -1);
            if (items.length > BackupRestoreSettings.MAX_PARTITION) {
                v.add(new SettingViolation(PARTITIONS, "more than " + BackupRestoreSettings.MAX_PARTITION));
            } else {
                for (String item : items) {
                    Integer n = number(item, 1, BackupRestoreSettings.MAX_PARTITION, PARTITIONS, v);
                    if (n == null) {
                        continue;
                    }
                    if (partitions.contains(n)) {
                        v.add(new SettingViolation(PARTITIONS, "partition " + n + " is listed twice"));
                    }
                    partitions.add(n);
                }
            }
        }
        String f = params.getOrDefault(flag, "false");
        if (!f.equals("true") && !f.equals("false")) {
            v.add(new SettingViolation(flag, "must be true or false, not " + f));
        }
        return new Parameters(image, disk == null ? 1 : disk, partitions, f.equals("true"), multicast(params, v));
    }

    private static Optional<Multicast> multicast(Map<String, String> params, List<SettingViolation> v) {
        String transfer = params.getOrDefault(TRANSFER, "unicast");
        if (!transfer.equals(MULTICAST)) {
            if (!transfer.equals("unicast")) {
                v.add(new SettingViolation(TRANSFER, "must be unicast or multicast, not " + transfer));
            }
            return Optional.empty();
        }
        OptionalInt targets = OptionalInt.empty();
        if (params.containsKey(MAX_TARGETS)) {
            Integer n = number(params.get(MAX_TARGETS), 1, Multicast.MAX_TARGETS, MAX_TARGETS, v);
            targets = n == null ? targets : OptionalInt.of(n);
        }
        Optional<Duration> waiting = Optional.empty();
        if (params.containsKey(MAX_WAITING)) {
            Integer n = number(params.get(MAX_WAITING), 1, Multicast.MAX_WAITING_MINUTES, MAX_WAITING, v);
            waiting = n == null ? waiting : Optional.of(Duration.ofMinutes(n));
        }
        return Optional.of(new Multicast(targets, waiting));
    }

    /** The number, or null with a violation. */
    private static Integer number(String text, int min, int max, String field, List<SettingViolation> v) {
        try {
            int n = Integer.parseInt(text == null ? "" : text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        v.add(new SettingViolation(field, "must be a number from " + min + " to " + max + ", not " + text));
        return null;
    }

    /** "8589934592 disk bytes (8.0 GiB), image 3221225472 bytes (3.0 GiB), 2048 chunks, 2 min 3 s". */
    /**
     * The step's figures for the log, exact; the core adds the same in human units to the execution's result, with
     * any warning (IMG-5), which it also logs.
     */
    static String figures(ImageResult r) {
        return r.diskBytes() + " disk bytes, image " + r.imageBytes() + " bytes, " + r.chunks()
                + (r.chunks() == 1 ? " chunk, " : " chunks, ") + String.format(Locale.ROOT, "%.1f s",
                        r.elapsed().toMillis() / 1000.0);
    }
}
