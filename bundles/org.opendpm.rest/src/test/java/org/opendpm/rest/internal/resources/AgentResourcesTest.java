package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import javax.ws.rs.ServiceUnavailableException;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.agent.ImageChunkSink;
import org.opendpm.api.agent.ImageChunkSource;
import org.opendpm.api.agent.ImageReadRequest;
import org.opendpm.api.agent.ImageReadResult;
import org.opendpm.api.agent.ImageWriteProgress;
import org.opendpm.api.agent.ImageWriteRequest;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.AgentDto;
import org.opendpm.rest.internal.dto.AgentLinkStatusDto;

/** The connected agents, the agent link's state and credential reset (EXE-9, FIL-1) over REST. */
public class AgentResourcesTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /** One agent of machine 7 and one of a machine under New Machine; a credential exists for 00:50:56:aa:bb:cc. */
    private static final class Link implements AgentLink {
        @Override
        public CompletionStage<ImageReadResult> readImage(long machineId, ImageReadRequest request,
                ImageChunkSink sink, ProgressListener progress) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<ImageWriteResult> writeImage(long machineId, ImageWriteRequest request,
                ImageChunkSource source, ImageWriteProgress progress) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<byte[]> readDiskArea(long machineId, int disk, long offset, int length) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<Void> writeDiskArea(long machineId, int disk, long offset, byte[] data) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<Void> prepareMaster(long machineId, String system) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public boolean disconnect(long machineId) {
            disconnected.add(machineId);
            return machineId == 7;
        }

        final List<String> resets = new ArrayList<>();

        @Override
        public Optional<AgentInfo> agent(long machineId) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public AgentLinkStatus status() {
            Map<String, Long> closed = new LinkedHashMap<>();
            closed.put("unauthenticated", 2L);
            closed.put("heartbeat-lost", 1L);
            return new AgentLinkStatus(26509, "9f86d08188", 2, closed);
        }

        @Override
        public List<AgentInfo> agents() {
            return List.of(new AgentInfo(Optional.of(7L), "00:50:56:aa:bb:cc", Optional.of("4c4c4544-0042"),
                    "192.0.2.7", "pc-7", "Linux 6.1", "1.0.0", false, T0, T0.plusSeconds(30),
                    Optional.empty()),
                    new AgentInfo(Optional.empty(), "00:50:56:aa:bb:dd", Optional.empty(), "192.0.2.8", "new-host",
                            "Deploy-OS", "1.0.0", true, T0, T0, Optional.of(42L)));
        }

        @Override
        public CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout,
                ProgressListener progress) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<List<DiskInfo>> disks(long machineId) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<StreamResult> readStream(long machineId, String source, Map<String, String> parameters,
                StreamSink sink, ProgressListener progress) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<Void> power(long machineId, AgentPowerAction action) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<Void> sendFile(long machineId, Path source, String targetFolder, String permissions) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<org.opendpm.api.agent.PackageInstallResult> installPackage(long machineId,
                org.opendpm.api.agent.PackageInstallRequest request) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<Void> deleteFile(long machineId, String path) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public CompletionStage<List<RemoteFile>> listFolder(long machineId, String folder) {
            throw new AssertionError("not used by this test");
        }

        final List<Long> disconnected = new ArrayList<>();

        /** As the link does: any spelling is read, anything else is refused naming the field mac. */
        @Override
        public boolean resetCredential(String mac) {
            String digits = mac.strip().toLowerCase(java.util.Locale.ROOT).replaceAll("[-:.]", "");
            if (!digits.matches("[0-9a-f]{12}")) {
                throw new ValidationException("mac", "'" + mac + "' is not a MAC address; write 12 hex digits");
            }
            resets.add(mac);
            return digits.equals("005056aabbcc");
        }
    }

    private final Link link = new Link();
    private final AgentResource agents = new AgentResource(link);
    private final AgentLinkResource status = new AgentLinkResource(link);

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(AgentResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER,
                "resetCredential", Roles.ADMIN, "disconnect", Roles.ADMIN));
        assertThat(roles(AgentLinkResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("status",
                Roles.VIEWER));
    }

    @Test
    public void agentsAreListedWithTheirMachineOrNull() {
        assertThat(agents.list()).containsExactly(new AgentDto(7L, "00:50:56:aa:bb:cc", "4c4c4544-0042", "192.0.2.7",
                "pc-7", "Linux 6.1", "1.0.0", false, "2026-03-01T10:00:00Z", "2026-03-01T10:00:30Z"),
                new AgentDto(null, "00:50:56:aa:bb:dd", null, "192.0.2.8", "new-host", "Deploy-OS", "1.0.0", true,
                        "2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"));
    }

    @Test
    public void linkStatusShowsPortFingerprintAndSortedCounters() {
        AgentLinkStatusDto s = status.status();
        assertThat(s.port()).isEqualTo(26509);
        assertThat(s.certificateFingerprint()).isEqualTo("9f86d08188");
        assertThat(s.connectedAgents()).isEqualTo(2);
        assertThat(s.closedByReason()).containsExactly(Map.entry("heartbeat-lost", 1L),
                Map.entry("unauthenticated", 2L));
    }

    /** The MAC reaches the link as written (the link reads every spelling); 204 when withdrawn, else 404. */
    @Test
    public void resetCredentialWithdrawsOrSaysThereWasNone() {
        assertThat(agents.resetCredential("00-50-56-AA-BB-CC").getStatus()).isEqualTo(204);
        assertThat(link.resets).containsExactly("00-50-56-AA-BB-CC");
        assertThat(problem(catchIt(() -> agents.resetCredential("00:50:56:aa:bb:dd")), 404).detail())
                .isEqualTo("No agent credential was issued for MAC 00:50:56:aa:bb:dd");
    }

    /** 204 when the machine's agent connection was closed, 404 when it has none, 400 naming a bad id. */
    @Test
    public void disconnectClosesTheMachinesAgentConnectionOrSaysThereIsNone() {
        assertThat(agents.disconnect("7").getStatus()).isEqualTo(204);
        assertThat(problem(catchIt(() -> agents.disconnect("8")), 404).detail())
                .isEqualTo("Machine 8 has no agent connected");
        assertThat(problem(catchIt(() -> agents.disconnect("vm7")), 400).field()).isEqualTo("machineId");
        assertThat(link.disconnected).containsExactly(7L, 8L);
    }

    /** What the link refuses as no MAC is a 400 naming the field mac. */
    @Test
    public void resetCredentialRefusesWhatIsNotAMac() {
        for (String bad : List.of("", "00:50:56:aa:bb", "pc-7", "00:50:56:aa:bb:cc:dd")) {
            assertThat(problem(catchIt(() -> agents.resetCredential(bad)), 400).field()).as(bad).isEqualTo("mac");
        }
        assertThat(link.resets).isEmpty();
    }

    @Test
    public void withoutTheAgentLinkTheAnswerIs503() {
        assertThat(problem(catchIt(() -> new AgentResource(null).list()), 503).detail()).contains("agent link");
        assertThat(catchIt(() -> new AgentLinkResource(null).status()))
                .isInstanceOf(ServiceUnavailableException.class);
        assertThat(catchIt(() -> new AgentResource(null).resetCredential("00:50:56:aa:bb:cc")))
                .isInstanceOf(ServiceUnavailableException.class);
    }
}
