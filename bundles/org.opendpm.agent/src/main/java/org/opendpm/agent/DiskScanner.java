package org.opendpm.agent;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

import org.opendpm.agent.protocol.Message;

/**
 * Lists the machine's disks for {@code diskInventory} (IMG-4). The Linux implementation is
 * {@value #LINUX_IMPLEMENTATION} (no-argument constructor), used when it is in the agent jar; elsewhere, and on
 * Windows, the agent answers that disk inventory is not available.
 */
public interface DiskScanner {

    String LINUX_IMPLEMENTATION = "org.opendpm.agent.disk.LinuxDiskScanner";

    /** The disks in the order the system lists them, numbered from 1, with their partitions. */
    List<Message.Disks.Disk> scan() throws IOException;

    /** Answers every scan with "not available". */
    DiskScanner UNAVAILABLE = () -> {
        throw new IOException("disk inventory is not available on this platform");
    };

    /** The scanner of this platform. */
    static DiskScanner platform() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return UNAVAILABLE;
        }
        try {
            // By name: the Linux scanner is a separate part of the agent, and a build without it still runs.
            Class<?> c = Class.forName(LINUX_IMPLEMENTATION);
            return (DiskScanner) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            Logger.getLogger(DiskScanner.class.getName()).fine("No " + LINUX_IMPLEMENTATION + " in this agent");
            return UNAVAILABLE;
        } catch (ReflectiveOperationException | ClassCastException e) {
            Logger.getLogger(DiskScanner.class.getName()).warning("Cannot use " + LINUX_IMPLEMENTATION + ": " + e);
            return UNAVAILABLE;
        }
    }
}
