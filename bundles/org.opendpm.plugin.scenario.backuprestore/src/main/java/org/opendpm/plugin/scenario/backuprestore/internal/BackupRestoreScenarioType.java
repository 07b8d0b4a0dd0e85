package org.opendpm.plugin.scenario.backuprestore.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.opendpm.plugin.scenario.backuprestore.internal.BackupRestoreSettings.Append;
import org.opendpm.plugin.scenario.backuprestore.internal.BackupRestoreSettings.Operation;
import org.opendpm.spi.AgentHandle.Multicast;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Component;

/**
 * The Backup/Restore tab (IMG-1, IMG-2): in its Deploy-OS the machine backs a disk, or chosen partitions of it, up to
 * an image of the Folder for Image, or has an image restored onto a disk. The image name may have the machine's
 * name, MAC or UUID appended, which is what lets one backup scenario run on several machines at once (EXE-10);
 * without it {@link #sharedOutput} names the image and the core refuses such a run. The step is carried out by
 * this plugin's executors {@value BackupStep#KEY} and {@value RestoreStep#KEY}. A restore may transmit by multicast
 * (IMG-3) with a Maximum Targets and a Maximum Waiting Time; the core forms the sessions, and refuses to execute such
 * a scenario while the server runs without its DHCP server (NET-4).
 */
@Component(property = ScenarioType.PROPERTY + "=" + BackupRestoreScenarioType.KEY)
public class BackupRestoreScenarioType implements ScenarioType {

    static final String KEY = "backup-restore";
    /** The longest image name the image store takes. */
    static final int MAX_RESOLVED_NAME = 255;
    static final String SCHEMA = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema",
             "title":"Backup/Restore",
             "description":"Backs a disk or its partitions up to an image, or restores an image, in the Deploy-OS",
             "type":"object","additionalProperties":false,"required":["operation","imageName"],
             "properties":{
              "operation":{"enum":["backup","restore"]},
              "imageName":{"type":"string","minLength":1,"maxLength":200,"pattern":"^[^./\\\\\\\\][^/\\\\\\\\]*$",
               "description":"A plain file name in the Folder for Image"},
              "disk":{"type":"integer","minimum":1,"default":1,"description":"Disk number as the Disk Check reports it"},
              "partitions":{"type":"array","items":{"type":"integer","minimum":1,"maximum":256},"uniqueItems":true,
               "default":[],"description":"Partition numbers, in the order they are imaged; empty for the whole disk (backup only)"},
              "createVerificationData":{"type":"boolean","default":false,
               "description":"Check every chunk of the image before it is put in place (backup only)"},
              "appendToImageName":{"enum":["none","machine-name","mac","uuid"],"default":"none",
               "description":"Appended as _<value>, so that machines running the scenario at once use different images"},
              "transfer":{"enum":["unicast","multicast"],"default":"unicast",
               "description":"Transmit Data By Multicast: restore the machines of the scenario together (restore only; needs the server's DHCP server)"},
              "maximumTargets":{"type":"integer","minimum":1,"maximum":1000,
               "description":"Multicast: a session starts when this many machines are ready; the rest wait in standby for the next"},
              "maximumWaitingMinutes":{"type":"integer","minimum":1,"maximum":1440,
               "description":"Multicast: a session starts this many minutes after its first machine became ready. Without either limit only Execute Now starts it"},
              "compareAfterRestore":{"type":"boolean","default":false,
               "description":"Read the disk back and compare it with the image (restore only)"}
             }}""";

    @Override
    public String displayName() {
        return "Backup/Restore";
    }

    @Override
    public int settingsVersion() {
        return 1;
    }

    @Override
    public String settingsSchema() {
        return SCHEMA;
    }

    @Override
    public boolean needsDeployOs() {
        return true;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        return BackupRestoreSettings.read(settings).violations();
    }

    /**
     * One Deploy-OS step. It may run again from its start after a server restart: a backup puts its image in place
     * only once complete, and a unicast restore writes every chunk again. A multicast restore is not carried out
     * again: its session did not survive the restart, and the administrator decides when the machines restore anew.
     */
    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        BackupRestoreSettings s = settingsOf(settings);
        String image = imageName(s, target);
        if (s.operation() == Operation.BACKUP) {
            return List.of(Step.inDeployOs(BackupStep.KEY, "Backup", Map.of(ImageSteps.IMAGE, image, ImageSteps.DISK,
                    Integer.toString(s.disk()), ImageSteps.PARTITIONS,
                    s.partitions().stream().map(String::valueOf).collect(Collectors.joining(",")),
                    ImageSteps.VERIFY, Boolean.toString(s.createVerificationData()))).asResumable());
        }
        Map<String, String> parameters = new LinkedHashMap<>(Map.of(ImageSteps.IMAGE, image, ImageSteps.DISK,
                Integer.toString(s.disk()), ImageSteps.COMPARE, Boolean.toString(s.compareAfterRestore())));
        if (s.multicast().isEmpty()) {
            return List.of(Step.inDeployOs(RestoreStep.KEY, "Restore", parameters).asResumable());
        }
        Multicast m = s.multicast().get();
        parameters.put(ImageSteps.TRANSFER, ImageSteps.MULTICAST);
        m.maximumTargets().ifPresent(n -> parameters.put(ImageSteps.MAX_TARGETS, Integer.toString(n)));
        m.maximumWaiting().ifPresent(d -> parameters.put(ImageSteps.MAX_WAITING, Long.toString(d.toMinutes())));
        return List.of(Step.inDeployOs(RestoreStep.KEY, "Restore by multicast", parameters));
    }

    /** A multicast restore needs the server's DHCP server (NET-4). */
    @Override
    public Optional<String> needsDhcpServer(Map<String, Object> settings) {
        BackupRestoreSettings s = BackupRestoreSettings.read(settings).settings();
        if (s == null || s.multicast().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("a multicast restore (Transmit Data By Multicast on its Backup/Restore tab)");
    }

    /** The image a backup writes under the same name on every machine (EXE-10); empty when a name is appended. */
    @Override
    public Optional<String> sharedOutput(Map<String, Object> settings) {
        BackupRestoreSettings.Read read = BackupRestoreSettings.read(settings);
        BackupRestoreSettings s = read.settings();
        if (s == null || s.operation() != Operation.BACKUP || s.appendToImageName() != Append.NONE) {
            return Optional.empty();
        }
        return Optional.of("image " + s.imageName());
    }

    private static BackupRestoreSettings settingsOf(Map<String, Object> settings) {
        BackupRestoreSettings.Read read = BackupRestoreSettings.read(settings);
        if (!read.violations().isEmpty()) {
            SettingViolation first = read.violations().get(0);
            throw new StepFailedException("The Backup/Restore settings are not valid: " + first.field() + ": "
                    + first.message());
        }
        return read.settings();
    }

    /** The image name with the machine's name, MAC (without colons) or UUID appended as the settings ask. */
    static String imageName(BackupRestoreSettings s, PlanTarget target) {
        String suffix;
        switch (s.appendToImageName()) {
        case MACHINE_NAME:
            suffix = required(target.machineName(), "name", target);
            break;
        case MAC:
            suffix = required(target.primaryMac(), "MAC address", target).replace(":", "").replace("-", "");
            break;
        case UUID:
            suffix = required(target.uuid().orElse(""), "UUID", target);
            break;
        default:
            return s.imageName();
        }
        String name = s.imageName() + "_" + suffix;
        String problem = BackupRestoreSettings.fileNameProblem(name, MAX_RESOLVED_NAME);
        if (problem != null) {
            throw new StepFailedException("The image name " + shorten(name) + " for machine " + target.machineName()
                    + " is not usable: it " + problem);
        }
        return name;
    }

    private static String required(String value, String what, PlanTarget target) {
        if (value == null || value.isBlank()) {
            throw new StepFailedException("Machine " + target.machineName() + " has no " + what + ", which the"
                    + " Backup/Restore tab appends to the image name; set it on the machine or choose another"
                    + " \"append to image name\"");
        }
        return value.strip();
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 79) + "…" : s;
    }
}
