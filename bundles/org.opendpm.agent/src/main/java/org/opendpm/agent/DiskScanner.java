package org.opendpm.agent;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

import org.opendpm.agent.protocol.Message;

/**
 * Lists the machine's disks for {@code diskInventory} (IMG-4). The Linux implementation is
 * {@value #LINUX_IMPLEMENTATION} (no-argument constructor, {@code List<...> scan()}), used when it is in the agent
 * jar; elsewhere, and on Windows, the agent answers that disk inventory is not available.
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
        Logger log = Logger.getLogger(DiskScanner.class.getName());
        try {
            // By name: the Linux scanner is a separate part of the agent, and a build without it still runs.
            Object scanner = Class.forName(LINUX_IMPLEMENTATION).getDeclaredConstructor().newInstance();
            if (scanner instanceof DiskScanner s) {
                return s;
            }
            return new RecordScanner(scanner, scanner.getClass().getMethod("scan"));
        } catch (ClassNotFoundException e) {
            log.fine("No " + LINUX_IMPLEMENTATION + " in this agent");
            return UNAVAILABLE;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warning("Cannot use " + LINUX_IMPLEMENTATION + ": " + e);
            return UNAVAILABLE;
        }
    }

    /**
     * A scanner whose {@code scan()} returns its own records, read by the protocol's member names: disks with
     * {@code number, device, sizeBytes, partitionTable, model, partitions[, problem]}, partitions with
     * {@code number, startBytes, sizeBytes, type, filesystem}.
     */
    final class RecordScanner implements DiskScanner {
        private final Object scanner;
        private final Method scan;

        RecordScanner(Object scanner, Method scan) {
            this.scanner = scanner;
            this.scan = scan;
        }

        @Override
        public List<Message.Disks.Disk> scan() throws IOException {
            Object result;
            try {
                result = scan.invoke(scanner);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("the disk scan failed: " + e.getCause(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IOException("the disk scanner cannot be called: " + e);
            }
            List<Message.Disks.Disk> disks = new ArrayList<>();
            for (Object d : (List<?>) result) {
                List<Message.Disks.Partition> parts = new ArrayList<>();
                for (Object p : (List<?>) get(d, "partitions")) {
                    parts.add(new Message.Disks.Partition((Integer) get(p, "number"), (Long) get(p, "startBytes"),
                            (Long) get(p, "sizeBytes"), (String) get(p, "type"), (String) get(p, "filesystem")));
                }
                Object problem = has(d, "problem") ? get(d, "problem") : "";
                disks.add(new Message.Disks.Disk((Integer) get(d, "number"), (String) get(d, "device"),
                        (Long) get(d, "sizeBytes"), (String) get(d, "partitionTable"), (String) get(d, "model"),
                        parts, (String) problem));
            }
            return disks;
        }

        private static boolean has(Object record, String component) {
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                if (c.getName().equals(component)) {
                    return true;
                }
            }
            return false;
        }

        private static Object get(Object record, String component) throws IOException {
            try {
                return record.getClass().getMethod(component).invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IOException("the disk scanner's " + record.getClass().getSimpleName() + " has no "
                        + component + ": " + e);
            }
        }
    }
}
