package org.opendpm.scheduler.internal.engine;
import static org.opendpm.scheduler.internal.engine.EngineFixture.eventually;
import org.opendpm.scheduler.internal.power.*;

import org.opendpm.scheduler.internal.*;
import org.opendpm.scheduler.internal.files.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.files.FileOperation;
import org.opendpm.api.files.FileOperationState;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;

/** Power control with a real Wake-on-LAN packet (SCH-2, SCH-4) and file distribution (FIL-1, FIL-2). */
public class PowerAndFilesTest {

    private EngineFixture f;
    private DatagramSocket wolReceiver;
    private MachinePowerService powerService;
    private JdbcFileOperationService fileService;

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        wolReceiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        wolReceiver.setSoTimeout(5000);
        PowerDrivers wol = new PowerDrivers(f.plugins, f.agents, f.powerSettings,
                EngineFixture.powerConfig("wol", "127.0.0.1", wolReceiver.getLocalPort()));
        powerService = new MachinePowerService(f.database, f.inventory, f.settings, f.agents, wol, f.clock);
        f.agents.listeners.add(powerService);
        fileService = new JdbcFileOperationService(f.database, f.inventory, f.agents, f.serverFiles);
    }

    @After
    public void tearDown() {
        powerService.deactivate();
        wolReceiver.close();
        f.close();
    }

    @Test
    public void sch2PowerOnSendsTheMagicPacketForThePrimaryMac() throws Exception {
        Machine m = f.machine("web01", 0x1234);
        powerService.powerOn(m.id());
        DatagramPacket p = new DatagramPacket(new byte[256], 256);
        wolReceiver.receive(p);
        byte[] data = Arrays.copyOf(p.getData(), p.getLength());
        assertThat(data).hasSize(102);
        for (int i = 0; i < 6; i++) {
            assertThat(data[i]).isEqualTo((byte) 0xff);
        }
        byte[] mac = { 0x02, 0, 0, 0, 0x12, 0x34 };
        for (int i = 0; i < 16; i++) {
            assertThat(Arrays.copyOfRange(data, 6 + i * 6, 12 + i * 6)).containsExactly(mac);
        }
    }

    @Test
    public void magicPacketRefusesWhatIsNotAMac() {
        assertThatThrownBy(() -> PowerDrivers.magicPacket("02:00:00")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void sch4AMachineNotUpWithinTheTimeOutIsInRemotePowerOnError() throws Exception {
        Machine late = f.machine("late", 1);
        Machine upInTime = f.machine("up", 2);
        powerService.powerOn(late.id());
        powerService.powerOn(upInTime.id());
        f.agents.connect(upInTime.id(), false);
        eventually(() -> f.database.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM power_on_wait"); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }), "the machine that came up leaves the wait");
        f.clock.advance(Duration.ofMinutes(11));
        eventually(() -> f.inventory.machine(late.id()).status() == MachineStatus.REMOTE_POWER_ON_ERROR,
                "Remote Power ON Error");
        assertThat(f.inventory.machine(upInTime.id()).status()).isEqualTo(MachineStatus.NONE);
    }

    @Test
    public void shutdownNeedsTheAgentAndGoesThroughIt() throws Exception {
        Machine m = f.machine("m", 1);
        assertThatThrownBy(() -> powerService.shutdown(m.id())).isInstanceOf(AgentUnavailableException.class)
                .hasMessage("Machine m has no connected agent; it cannot be shut down remotely");
        assertThatThrownBy(() -> powerService.shutdown(999)).isInstanceOf(NotFoundException.class);
        f.agents.connect(m.id(), false);
        powerService.reboot(m.id());
        assertThat(f.agents.powerRequests.poll(5, TimeUnit.SECONDS).what()).isEqualTo("REBOOT");
    }

    @Test
    public void fil1SendRecordsAnOperationThatTheAgentsAnswerEnds() throws Exception {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        f.agents.connect(a.id(), false);
        fileService.storeServerFile("app.conf", new ByteArrayInputStream("x=1\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(fileService.serverFiles()).singleElement().satisfies(sf -> {
            assertThat(sf.name()).isEqualTo("app.conf");
            assertThat(sf.size()).isEqualTo(4);
            assertThat(sf.sha256()).hasSize(64);
        });

        List<FileOperation> ops = fileService.send(List.of(a.id(), b.id()), "app.conf", "/etc/app", "640", "admin");
        assertThat(ops).extracting(FileOperation::state).containsOnly(FileOperationState.RUNNING);
        var request = f.agents.files.poll(5, TimeUnit.SECONDS);
        assertThat(request.what()).isEqualTo("send app.conf /etc/app 640");
        request.answer().complete(null);

        eventually(() -> fileService.operation(ops.get(0).id()).state() == FileOperationState.SUCCEEDED, "sent");
        FileOperation noAgent = fileService.operation(ops.get(1).id());
        assertThat(noAgent.state()).isEqualTo(FileOperationState.FAILED);
        assertThat(noAgent.message()).contains("has no connected agent");
        assertThat(fileService.operations(Optional.of(a.id()), 0, 10)).extracting(FileOperation::id)
                .containsExactly(ops.get(0).id());

        FileOperation del = fileService.delete(a.id(), "/etc/app/old.conf", "admin");
        f.agents.files.poll(5, TimeUnit.SECONDS).answer()
                .completeExceptionally(new AgentRequestException("no such file: /etc/app/old.conf"));
        eventually(() -> fileService.operation(del.id()).state() == FileOperationState.FAILED, "delete failed");
        assertThat(fileService.operation(del.id()).message()).isEqualTo("no such file: /etc/app/old.conf");
        assertThat(fileService.list(a.id(), "/etc/app")).extracting(r -> r.name()).containsExactly("a.txt");
    }

    @Test
    public void fil1BadNamesFoldersAndPermissionsAreRefusedByField() throws Exception {
        Machine a = f.machine("a", 1);
        fileService.storeServerFile("ok.bin", new ByteArrayInputStream(new byte[]{ 1 }));
        assertThatThrownBy(() -> fileService.send(List.of(a.id()), "ok.bin", "/tmp", "64", "x"))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("permissions");
        assertThatThrownBy(() -> fileService.send(List.of(a.id()), "ok.bin", "/tmp", "999", "x"))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("permissions");
        assertThatThrownBy(() -> fileService.send(List.of(a.id()), "ok.bin", "relative/dir", "644", "x"))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("targetFolder");
        assertThatThrownBy(() -> fileService.send(List.of(a.id()), "../etc/passwd", "/tmp", "644", "x"))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("file");
        assertThatThrownBy(() -> fileService.send(List.of(a.id()), "missing.bin", "/tmp", "644", "x"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> fileService.send(List.of(), "ok.bin", "/tmp", "644", "x"))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("machineIds");
        assertThatThrownBy(() -> fileService.storeServerFile("a/b", new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("file");
        assertThatThrownBy(() -> fileService.operations(Optional.empty(), 0, 0))
                .isInstanceOf(ValidationException.class).extracting("field").isEqualTo("limit");
        assertThat(fileService.operations(Optional.empty(), 0, 10)).isEmpty();
    }

    @Test
    public void fil1ASymlinkOutOfTheServerFolderIsRefused() throws Exception {
        Path outside = Files.createTempFile("secret", ".txt");
        Files.createSymbolicLink(f.serverFiles.root().resolve("link.txt"), outside);
        Machine a = f.machine("a", 1);
        assertThatThrownBy(() -> fileService.send(List.of(a.id()), "link.txt", "/tmp", "644", "x"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("leads out of the server's file folder");
        assertThat(fileService.serverFiles()).isEmpty();
    }
}
