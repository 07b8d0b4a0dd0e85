package org.opendpm.plugin.scenario.hwsetting.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import org.opendpm.api.OpenDpmException;
import org.opendpm.api.boot.ServerUrls;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.plugin.scenario.hwsetting.internal.http.HwImageServlet;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The step {@value #KEY} (HWS-1, HWS-2): makes the registered image the machine's next boot, once (a floppy through
 * memdisk, an EFI application chain-loaded), restarts the machine (through its agent when one is connected, else
 * powers it on) and completes when the machine comes back ({@link MachineReturns}). A firmware update that never
 * comes back fails the step just before the scenario's time-out with a message that says the machine may still be
 * updating, rather than the engine's generic time-out: an administrator must not power it off mid-flash.
 */
@Component(configurationPid = HwSettingConfig.PID, property = StepExecutor.PROPERTY + "=" + HwBootStep.KEY)
@Designate(ocd = HwSettingConfig.class)
public class HwBootStep implements StepExecutor {

    static final String KEY = "hw-setting.boot";
    /** How long before the scenario's time-out the step fails itself, so its message is the one shown. */
    static final Duration BEFORE_TIMEOUT = Duration.ofSeconds(3);

    private final HwImageService images;
    private final MachineReturns returns;
    private final ServerSettingsService settings;
    private final ServerUrls serverUrls;
    private final Clock clock;
    private volatile HwSettingConfig config;

    @Activate
    public HwBootStep(HwSettingConfig config, @Reference HwImageService images, @Reference MachineReturns returns,
            @Reference ServerSettingsService settings, @Reference ServerUrls serverUrls) {
        this(config, images, returns, settings, serverUrls, Clock.systemUTC());
    }

    HwBootStep(HwSettingConfig config, HwImageService images, MachineReturns returns, ServerSettingsService settings,
            ServerUrls serverUrls, Clock clock) {
        this.config = config;
        this.images = images;
        this.returns = returns;
        this.settings = settings;
        this.serverUrls = serverUrls;
        this.clock = clock;
    }

    @Modified
    void modified(HwSettingConfig changed) {
        config = changed;
    }

    @Override
    public List<SettingViolation> validate(Step step) {
        return HwSettings.check(step.parameters());
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        String name = context.step().parameters().get(HwSettings.IMAGE);
        HwImage image;
        String url;
        try {
            image = images.find(name).orElseThrow(() -> new StepFailedException("No HW setting image named " + name
                    + " is registered"));
            url = serverUrl(context.machineId()) + HwImageServlet.path(image);
        } catch (OpenDpmException e) {
            throw new StepFailedException("The HW setting image " + name + " cannot be booted: " + e.getMessage(), e);
        }
        BootIntent intent = image.kind() == HwImageKind.FLOPPY
                ? new BootIntent.MemdiskFloppy(config.memdisk(), url)
                : new BootIntent.EfiApplication(url, "");
        context.boot().next(intent, true);
        CompletionStage<String> back = returns.await(context.executionId(), context.machineId(), image, url);
        context.log("The next boot is " + (image.kind() == HwImageKind.FLOPPY
                ? "the floppy image "
                : "the EFI"
                        + " application ")
                + image.name() + " (SHA-256 " + image.sha256() + "), once");
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture<Void> timeout = failBeforeDeadline(context, result);
        // Cancelled, failed or stopped: an unused one-shot boot of the image must not flash the machine later.
        context.onStop(() -> {
            returns.giveUp(context.executionId(), context.machineId());
            timeout.cancel(false);
        });
        CompletionStage<Void> restart = context.agent().isConnected(AgentHandle.Kind.ANY)
                ? context.agent().reboot()
                : context.power().set(PowerOperation.ON);
        restart.thenCompose(v -> {
            context.log("Machine restarted into " + image.name() + "; waiting for it to come back");
            return back;
        }).whenComplete((how, e) -> {
            timeout.cancel(false);
            if (e != null) {
                returns.giveUp(context.executionId(), context.machineId());
                result.completeExceptionally(e);
            } else {
                context.log("The machine came back: " + how);
                result.complete(null);
            }
        });
        return result;
    }

    /**
     * Fails the step {@link #BEFORE_TIMEOUT} before the execution's deadline (HWS-2). The delay runs on the JDK's
     * shared delay scheduler; the plugin owns no thread, and the timer is cancelled as soon as the step ends.
     */
    private CompletableFuture<Void> failBeforeDeadline(StepContext context, CompletableFuture<Void> result) {
        long millis = Math.max(0, Duration.between(clock.instant(), context.deadline().minus(BEFORE_TIMEOUT))
                .toMillis());
        Executor later = CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS);
        return CompletableFuture.runAsync(() -> {
            if (result.isDone()) {
                return;
            }
            boolean fetched = returns.giveUp(context.executionId(), context.machineId());
            result.completeExceptionally(new StepFailedException(timeoutMessage(settings.get()
                    .scenarioTimeoutMinutes(), fetched)));
        }, later);
    }

    /** HWS-2's message; {@code fetched} whether the machine ever fetched the boot of its image. */
    static String timeoutMessage(int minutes, boolean fetched) {
        return "The firmware update did not finish within " + minutes + " minute" + (minutes == 1 ? "" : "s")
                + "; the machine may still be updating: do not power it off, check its console"
                + (fetched
                        ? ""
                        : ". It never fetched the image's boot file: check that it network-boots from this"
                                + " server");
    }

    /**
     * {@code serverUrl} when configured (NAT, a reverse proxy), else what network boot knows of the way this machine
     * reaches the server ({@link ServerUrls}).
     */
    private String serverUrl(long machineId) {
        String url = config.serverUrl() == null ? "" : config.serverUrl().strip();
        if (url.isEmpty()) {
            try {
                return serverUrls.httpBase(machineId);
            } catch (OpenDpmException e) {
                throw new StepFailedException(e.getMessage() + " (or serverUrl in etc/" + HwSettingConfig.PID
                        + ".cfg): the machine would not know where to fetch the image from", e);
            }
        }
        if (!url.matches("https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/-]*)?")) {
            throw new StepFailedException("serverUrl '" + url.replaceAll("[^\\x20-\\x7e]", "?") + "' in etc/"
                    + HwSettingConfig.PID + ".cfg is not an http URL of this server");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
