package org.opendpm.plugin.scenario.hwsetting.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NetworkBootListener;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.NextBootKind;
import org.opendpm.api.hwsetting.HwImage;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a HW setting step when its machine comes back from the image it booted once (HWS-2). While the machine's
 * one-shot intent to boot the image is still set, a network boot is the one that will use it: its firmware is checked
 * (a floppy needs BIOS, an EFI application UEFI) and a mismatch fails the step at once. Once the intent is used (the
 * machine fetched its boot file), the machine's next network boot or its agent connecting means it is back.
 *
 * <p>The waits are held in memory because a waiting step is a thing of this process; the intent, which decides, is
 * in the database. Both listeners are called on the boot servers' and the agent link's threads: a call reads one row
 * only for a machine with a wait, and completes a future.
 */
@Component(service = { MachineReturns.class, NetworkBootListener.class, AgentListener.class })
public class MachineReturns implements NetworkBootListener, AgentListener {

    private static final Logger LOG = LoggerFactory.getLogger(MachineReturns.class);

    private record Wait(long executionId, HwImage image, String url, CompletableFuture<String> back) {
    }

    /** ARM64 UEFI client architectures (RFC 4578 registry), which the SPI names no constant for. */
    static final int ARCH_EFI_ARM64 = 11;
    static final int ARCH_EFI_ARM64_HTTP = 19;

    private final BootIntentService intents;
    private final Map<Long, Wait> waits = new ConcurrentHashMap<>();

    @Activate
    public MachineReturns(@Reference BootIntentService intents) {
        this.intents = intents;
    }

    /**
     * Waits for the machine to come back from the image, fetched at {@code url} (the intent's floppy or application);
     * completes with how it came back, or fails with a {@link StepFailedException} when it booted with the wrong
     * firmware. A later wait for the machine replaces this one.
     */
    public CompletionStage<String> await(long executionId, long machineId, HwImage image, String url) {
        Wait w = new Wait(executionId, image, url, new CompletableFuture<>());
        Wait old = waits.put(machineId, w);
        if (old != null) {
            old.back.cancel(false);
        }
        return w.back;
    }

    /** Ends the machine's wait of that execution, if it still has one. */
    private void withdraw(long executionId, long machineId) {
        waits.computeIfPresent(machineId, (id, w) -> w.executionId == executionId ? null : w);
    }

    /**
     * Ends the machine's wait of that execution (time-out, cancel, failure). The boot of the image is one-shot: if the
     * machine never fetched it, it is removed so that the machine's next boot is its normal one.
     *
     * @return whether the machine had fetched the boot of its image
     */
    public boolean giveUp(long executionId, long machineId) {
        Wait w = waits.get(machineId);
        if (w == null || w.executionId != executionId) {
            return true;
        }
        boolean pending = stillPending(machineId, w);
        if (pending) {
            intents.clear(machineId);
        }
        withdraw(executionId, machineId);
        return !pending;
    }

    @Override
    public void booting(long machineId, BootClient client) {
        Wait w = waits.get(machineId);
        if (w == null) {
            return;
        }
        if (stillPending(machineId, w)) {
            Optional<String> wrong = wrongFirmware(w.image, client.architecture());
            if (wrong.isPresent()) {
                intents.clear(machineId);
                finish(machineId, w, null, new StepFailedException(wrong.get()));
            }
            return;
        }
        finish(machineId, w, "the machine network-booted again (" + client.mac() + ")", null);
    }

    @Override
    public void connected(AgentInfo agent) {
        Long machineId = agent.machineId().orElse(null);
        Wait w = machineId == null ? null : waits.get(machineId);
        if (w != null && !stillPending(machineId, w)) {
            finish(machineId, w, "its agent connected" + (agent.deployOs() ? " from the Deploy-OS" : ""), null);
        }
    }

    @Override
    public void disconnected(AgentInfo agent, String reason) {
        // Going away is what a machine booting its image does; only coming back counts.
    }

    /**
     * Why a machine booting with this client architecture (DHCP option 93) cannot boot the image, or empty when it can:
     * a floppy needs BIOS (0); an x64 EFI application x64 UEFI (7, 9, 16 for HTTP boot), an aa64 one ARM64 UEFI (11,
     * 19 for HTTP boot).
     */
    static Optional<String> wrongFirmware(HwImage image, int architecture) {
        boolean bios = architecture == BootClient.ARCH_BIOS;
        if (image.kind() == HwImageKind.FLOPPY) {
            return bios
                    ? Optional.empty()
                    : Optional.of("The machine booted with UEFI firmware (client architecture "
                            + architecture
                            + "); a floppy image boots only on BIOS firmware through memdisk. Register the"
                            + " update as an EFI application, or switch the machine to legacy BIOS boot");
        }
        if (bios) {
            return Optional.of("The machine booted with BIOS firmware; an EFI application boots only on UEFI"
                    + " firmware. Register the update as a floppy image, or switch the machine to UEFI boot");
        }
        String machine = image.efiMachine().orElse("x64");
        boolean fits = machine.equals("aa64")
                ? architecture == ARCH_EFI_ARM64 || architecture == ARCH_EFI_ARM64_HTTP
                : architecture == BootClient.ARCH_EFI_X86_64 || architecture == BootClient.ARCH_EFI_BC
                        || architecture == BootClient.ARCH_EFI_X86_64_HTTP;
        return fits
                ? Optional.empty()
                : Optional.of("The EFI application " + image.name() + " is for " + machine
                        + " and the machine's UEFI firmware is not (client architecture " + architecture + ")");
    }

    /** Whether the machine's intent is still the one-shot boot of this wait's image (not yet fetched). */
    private boolean stillPending(long machineId, Wait w) {
        try {
            Optional<MachineBootIntent> current = intents.get(machineId);
            if (current.isEmpty()) {
                return false;
            }
            NextBoot n = current.get().intent();
            return n.kind() == NextBootKind.MEMDISK_FLOPPY && w.url.equals(n.initrd())
                    || n.kind() == NextBootKind.EFI_APPLICATION && w.url.equals(n.kernel());
        } catch (RuntimeException e) {
            // Unknown: treat as pending, so a database hiccup never ends a firmware update early.
            LOG.warn("HW setting: the next boot of machine {} could not be read: {}", machineId, e.toString());
            return true;
        }
    }

    private void finish(long machineId, Wait w, String how, RuntimeException failure) {
        if (!waits.remove(machineId, w)) {
            return;
        }
        if (failure != null) {
            w.back.completeExceptionally(failure);
        } else {
            w.back.complete(how);
        }
    }
}
