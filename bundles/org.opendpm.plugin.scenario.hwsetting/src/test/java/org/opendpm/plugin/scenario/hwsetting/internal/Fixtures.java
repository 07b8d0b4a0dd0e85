package org.opendpm.plugin.scenario.hwsetting.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.store.Database;

/** What the HW setting tests share: a migrated database, settings, images as bytes and a next-boot double. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A fresh in-memory Derby database with OpenDPM's whole schema. */
    public static Database database() {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:hwsetting-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        return Database.over(ds);
    }

    public static ServerSettingsService settings(Path imageFolder, int timeoutMinutes) {
        ServerSettings s = new ServerSettings(true, imageFolder.toString(), false, 5, 10, timeoutMinutes, "x");
        return new ServerSettingsService() {
            @Override
            public ServerSettings get() {
                return s;
            }

            @Override
            public ServerSettings update(ServerSettings settings) {
                throw new AssertionError("the HW setting plugin never changes server settings");
            }
        };
    }

    /** A floppy image of {@code size} bytes with the boot signature. */
    public static byte[] floppy(int size) {
        byte[] b = new byte[size];
        b[510] = 0x55;
        b[511] = (byte) 0xAA;
        return b;
    }

    /** The smallest PE file the checks take: MZ, PE at 0x80, machine, a PE32+ optional header with the subsystem. */
    public static byte[] pe(int machine, int subsystem) {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 'M').put(1, (byte) 'Z').putInt(0x3C, 0x80);
        b.putInt(0x80, 0x00004550).putShort(0x84, (short) machine).putShort(0x80 + 20, (short) 240);
        b.putShort(0x80 + 24, (short) 0x20B).putShort(0x80 + 24 + 68, (short) subsystem);
        return b.array();
    }

    /** Next-boot intents in a map: the tests see exactly what the step and the listener set and clear. */
    public static final class Intents implements BootIntentService {
        public final Map<Long, MachineBootIntent> byMachine = new ConcurrentHashMap<>();

        @Override
        public Optional<MachineBootIntent> get(long machineId) {
            return Optional.ofNullable(byMachine.get(machineId));
        }

        @Override
        public MachineBootIntent set(long machineId, NextBoot intent, String setBy) {
            MachineBootIntent i = new MachineBootIntent(machineId, intent, setBy, Instant.now());
            byMachine.put(machineId, i);
            return i;
        }

        @Override
        public boolean clear(long machineId) {
            return byMachine.remove(machineId) != null;
        }

        @Override
        public boolean clearIfSetAt(long machineId, Instant setAt) {
            throw new AssertionError("not used by the HW setting plugin");
        }
    }
}
