package org.opendpm.plugin.scenario.oslinux.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.os.AnswerFile;
import org.opendpm.api.os.AnswerFormat;
import org.opendpm.api.os.MachineInstall;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.os.OsType;
import org.opendpm.plugin.scenario.oslinux.internal.answer.AnswerFiles;
import org.opendpm.plugin.scenario.oslinux.internal.built.JdbcOsInstallations;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The step {@value #KEY}: renders the machine's answer file, publishes it at a token URL for this execution, makes
 * the installer (kernel, initrd, the answer file's URL on the command line) the machine's next boot once, restarts
 * the machine (through its agent when one is connected, else powers it on), and completes when the installer calls
 * built. Everything that can fail is done before the machine is touched.
 */
@Component(property = StepExecutor.PROPERTY + "=" + InstallStep.KEY)
public class InstallStep implements StepExecutor {

    static final String KEY = "os-linux.install";

    private final OperatingSystemService systems;
    private final AnswerFiles answers;
    private final JdbcOsInstallations installations;
    private final InventoryService inventory;

    @Activate
    public InstallStep(@Reference OperatingSystemService systems, @Reference AnswerFiles answers,
            @Reference JdbcOsInstallations installations, @Reference InventoryService inventory) {
        this.systems = systems;
        this.answers = answers;
        this.installations = installations;
        this.inventory = inventory;
    }

    @Override
    public List<SettingViolation> validate(org.opendpm.spi.Step step) {
        return OsInstallSettings.check(step.parameters());
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        long execution = context.executionId();
        if (installations.builtAt(execution).isPresent()) {
            context.log("The installer had called built before the server restarted");
            installations.withdraw(execution);
            return CompletableFuture.completedFuture(null);
        }
        OsInstallSettings s = OsInstallSettings.of(context.step().parameters());
        String bootArguments;
        OperatingSystem os;
        try {
            os = systems.find(s.operatingSystem()).orElseThrow(() -> new StepFailedException(
                    "No operating system named " + s.operatingSystem() + " is registered"));
            checkBootable(os.type());
            String server = answers.requireServerUrl(context.machineId());
            Machine machine = inventory.machine(context.machineId());
            NetworkSetting group = inventory.group(machine.groupId()).network();
            MachineInstall.Network network = s.network(Optional.ofNullable(group.subnetMask()),
                    Optional.ofNullable(group.defaultGateway()));
            String builtUrl = server + installations.issue(execution, context.machineId());
            AnswerFile answer = answers.render(os.id(), new MachineInstall(context.machineId(), s.disk(),
                    s.rootPasswordHash(), network, Optional.of(builtUrl)));
            String url = server + context.publish(answer.fileName(),
                    answer.content().getBytes(StandardCharsets.UTF_8), answer.mediaType());
            bootArguments = bootArguments(os, url, server);
        } catch (OpenDpmException | StepFailedException e) {
            installations.withdraw(execution);
            throw new StepFailedException("OS installation of " + s.operatingSystem() + " cannot start: "
                    + e.getMessage(), e);
        }
        context.boot().next(new BootIntent.OsInstaller(os.kernel(), os.initrd(), bootArguments), true);
        context.log("Answer file published; the next boot is the installer of " + os.name());
        CompletionStage<Void> built = installations.awaitBuilt(execution);
        context.onStop(() -> {
            built.toCompletableFuture().cancel(false);
            installations.withdraw(execution);
        });
        CompletionStage<Void> restart = context.agent().isConnected(AgentHandle.Kind.ANY)
                ? context.agent().reboot()
                : context.power().set(PowerOperation.ON);
        return restart.thenCompose(v -> {
            context.log("Machine restarted into the installer; waiting for its built call");
            return built;
        }).thenRun(() -> {
            context.log("The installer called built");
            installations.withdraw(execution);
        });
    }

    /** The installer's kernel command line with the answer file's URL, per answer format. */
    static String bootArguments(OperatingSystem os, String answerUrl, String server) {
        OsType type = os.type();
        String source = server + org.opendpm.plugin.scenario.oslinux.internal.http.OsHttpServlet.SOURCE_PATH
                + os.name() + "/";
        if (type.format() == AnswerFormat.PRESEED) {
            return "auto=true priority=critical url=" + answerUrl + " interface=auto";
        }
        if (type.format() == AnswerFormat.KICKSTART) {
            return switch (type) {
            case RHEL_7, RHEL_8, RHEL_9 -> "inst.ks=" + answerUrl + " inst.repo=" + source + " ip=dhcp";
            case ESX -> "ks=" + answerUrl;
            default -> "ks=" + answerUrl + " ksdevice=bootif";
            };
        }
        checkBootable(type);
        throw new IllegalStateException(type.format().name());
    }

    /**
     * Subiquity reads user-data and meta-data from one folder, and XenServer wants a multiboot line: both need more
     * than one published file under one token or a multiboot boot, which this server does not do yet.
     */
    static void checkBootable(OsType type) {
        if (type.format() != AnswerFormat.PRESEED && type.format() != AnswerFormat.KICKSTART) {
            throw new StepFailedException("Booting the installer of " + type.displayName() + " is not supported yet;"
                    + " write its answer files offline (dpm:os-answer-files) and boot it by hand");
        }
    }
}
