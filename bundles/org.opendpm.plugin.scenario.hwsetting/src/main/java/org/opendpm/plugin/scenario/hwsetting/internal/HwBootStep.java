package org.opendpm.plugin.scenario.hwsetting.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.OpenDpmException;
import org.opendpm.api.boot.ServerUrls;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;
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
 * comes back ends at the scenario's time-out (HWS-2), whose message says the machine may still be updating: an
 * administrator must not power it off mid-flash.
 */
@Component(configurationPid = HwSettingConfig.PID, property = StepExecutor.PROPERTY + "=" + HwBootStep.KEY)
@Designate(ocd = HwSettingConfig.class)
public class HwBootStep implements StepExecutor {

    static final String KEY = "hw-setting.boot";
    /** What the scenario's time-out means while the machine has not come back (HWS-2). */
    static final String TIMEOUT_EXPLANATION = "the firmware update did not finish; the machine may still be updating:"
            + " do not power it off, check its console";

    private final HwImageService images;
    private final MachineReturns returns;
    private final ServerUrls serverUrls;
    private volatile HwSettingConfig config;

    @Activate
    public HwBootStep(HwSettingConfig config, @Reference HwImageService images, @Reference MachineReturns returns,
            @Reference ServerUrls serverUrls) {
        this.config = config;
        this.images = images;
        this.returns = returns;
        this.serverUrls = serverUrls;
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
        context.explainTimeout(TIMEOUT_EXPLANATION);
        // Timed out, cancelled or failed: an unused one-shot boot of the image must not flash the machine later.
        context.onStop(() -> {
            if (!returns.giveUp(context.executionId(), context.machineId())) {
                context.log("The machine never fetched the boot file of " + image.name() + ": check that it"
                        + " network-boots from this server; its one-shot boot of the image is removed");
            }
        });
        CompletionStage<Void> restart = context.agent().isConnected(AgentHandle.Kind.ANY)
                ? context.agent().reboot()
                : context.power().set(PowerOperation.ON);
        restart.thenCompose(v -> {
            context.log("Machine restarted into " + image.name() + "; waiting for it to come back");
            return back;
        }).whenComplete((how, e) -> {
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
