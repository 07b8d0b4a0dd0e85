package org.opendpm.netboot.internal;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.opendpm.api.boot.BootStatus;
import org.opendpm.api.boot.BootStatusService;
import org.opendpm.api.boot.ServerPortsService;
import org.opendpm.netboot.internal.pxe.PxeResponder;
import org.opendpm.netboot.internal.pxe.PxeStats;
import org.opendpm.netboot.internal.tftp.TftpStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The counters of the TFTP server, the PXE responders, boot decisions and HTTP boot, and the ports of Port.ini, under
 * the exported API.
 */
@Component(service = BootStatusService.class)
public final class BootStatusComponent implements BootStatusService {

    private final TftpServerComponent tftp;
    private final PxeComponent pxe;
    private final BootService boot;
    private final ServerPortsService ports;

    @Activate
    public BootStatusComponent(@Reference TftpServerComponent tftp, @Reference PxeComponent pxe,
            @Reference BootService boot, @Reference ServerPortsService ports) {
        this.tftp = tftp;
        this.pxe = pxe;
        this.boot = boot;
        this.ports = ports;
    }

    @Override
    public BootStatus status() {
        BootStatus.Tftp t = tftp.stats().map(TftpStats::snapshot).map(BootStatusComponent::tftp)
                .orElseGet(() -> new BootStatus.Tftp(false, 0, 0, 0, 0, 0, 0, 0, Map.of()));
        PxeStats.Snapshot p = pxe.stats();
        boolean pxeRunning = pxe.localAddress(PxeResponder.Service.PROXY_DHCP).isPresent()
                || pxe.localAddress(PxeResponder.Service.BOOT_SERVER).isPresent();
        BootService.Counters c = boot.counters();
        return new BootStatus(t, new BootStatus.Pxe(pxeRunning, p.received(), names(p.malformed()),
                names(p.outcomes())), c.clientsSeen(), c.decisions(), c.httpBootRequests(), ports.ports());
    }

    private static BootStatus.Tftp tftp(TftpStats.Snapshot s) {
        return new BootStatus.Tftp(true, s.inFlight(), s.started(), s.completed(), s.failed(), s.bytesSent(),
                s.bytesReceived(), s.retransmissions(), names(new EnumMap<>(s.errors())));
    }

    /** Enum keys as lower-case names, so the API does not carry netboot's internal enums. */
    private static <E extends Enum<E>> Map<String, Long> names(Map<E, Long> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k.name().toLowerCase(Locale.ROOT), v));
        return out;
    }
}
