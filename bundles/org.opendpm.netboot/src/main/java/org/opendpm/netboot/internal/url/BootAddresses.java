package org.opendpm.netboot.internal.url;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The address each machine's latest network boot came to, in this process. Kept in memory on purpose: it is this
 * server's own address as one machine saw it, which another server sharing the database could not use, and it is
 * learnt again at the machine's next boot. Bounded: past the cap, machines not yet recorded are not recorded.
 */
public final class BootAddresses {

    private final int cap;
    private final Map<Long, BootAddress> latest = new ConcurrentHashMap<>();

    public BootAddresses(int cap) {
        this.cap = cap;
    }

    public void record(long machineId, BootAddress address) {
        if (latest.size() < cap || latest.containsKey(machineId)) {
            latest.put(machineId, address);
        }
    }

    public Optional<BootAddress> latest(long machineId) {
        return Optional.ofNullable(latest.get(machineId));
    }
}
