package org.opendpm.netboot.internal.ports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.Test;
import org.opendpm.api.boot.ServerPorts;

public class PortIniTest {

    @Test
    public void theGuidesFileWithCommentsSectionsBomAndCrlf() {
        PortIni.Parsed p = PortIni.parse("\uFEFF; DPM Server ports\r\n[Port]\r\nFTUnicast=56023\r\n"
                + "agenttcp1 = 27509\r\n# comment\r\n\r\nAgentUdp=27529");
        assertThat(p.problems()).isEmpty();
        assertThat(p.ports()).isEqualTo(new ServerPorts(56023, 27509, 26510, 26520, 27529, 68));
    }

    @Test
    public void emptyFileGivesTheDefaults() {
        PortIni.Parsed p = PortIni.parse("");
        assertThat(p.problems()).isEmpty();
        assertThat(p.ports()).isEqualTo(ServerPorts.DEFAULTS);
        assertThat(p.ports().ftUnicast()).isEqualTo(26508);
    }

    @Test
    public void badValuesKeepTheirDefaultAndAreReportedByLineAndKey() {
        PortIni.Parsed p = PortIni.parse("FTUnicast=26508x\nAgentTcp1=0\nAgentTcp2=65536\nAgentTcp3=\n"
                + "AgentUdp=30000\nAgentUdp=30001\nPxePort=4011\njust text\nAgentSearchUdp=-1");
        assertThat(p.ports()).isEqualTo(new ServerPorts(26508, 26509, 26510, 26520, 30000, 68));
        assertThat(p.problems()).extracting(Object::toString).containsExactly(
                "line 1 (FTUnicast): '26508x' is not a port 1-65535; default 26508 used",
                "line 2 (AgentTcp1): '0' is not a port 1-65535; default 26509 used",
                "line 3 (AgentTcp2): '65536' is not a port 1-65535; default 26510 used",
                "line 4 (AgentTcp3): '' is not a port 1-65535; default 26520 used",
                "line 6 (AgentUdp): given again; the first value stays",
                "line 7 (PxePort): unknown key; keys are FTUnicast, AgentTcp1, AgentTcp2, AgentTcp3, AgentUdp,"
                        + " AgentSearchUdp",
                "line 8: not Key=Value: 'just text'",
                "line 9 (AgentSearchUdp): '-1' is not a port 1-65535; default 68 used");
    }

    @Test
    public void twoTcpServicesOnOnePortAreReported() {
        PortIni.Parsed p = PortIni.parse("AgentTcp2=26508");
        assertThat(p.ports().agentTcp2()).isEqualTo(26508);
        assertThat(p.problems()).extracting(Object::toString)
                .containsExactly("line 0 (AgentTcp2): same TCP port 26508 as FTUnicast");
    }

    @Test
    public void theComponentReadsTheFileInTheTftpRootAgainWhenItChanges() throws Exception {
        Path root = Files.createTempDirectory("port-ini");
        PortsComponent ports = new PortsComponent(() -> root);
        assertThat(ports.ports()).isEqualTo(ServerPorts.DEFAULTS);

        Path file = root.resolve(PortsComponent.FILE_NAME);
        Files.writeString(file, "FTUnicast=56023\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        assertThat(ports.ports().ftUnicast()).isEqualTo(56023);

        Files.writeString(file, "FTUnicast=26999\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:01:00Z")));
        assertThat(ports.ports().ftUnicast()).isEqualTo(26999);

        Files.write(file, new byte[]{ 'F', 'T', '=', (byte) 0xff, (byte) 0xfe });
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:02:00Z")));
        assertThat(ports.ports()).isEqualTo(ServerPorts.DEFAULTS);

        Files.writeString(file, "FTUnicast=26777\n", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:03:00Z")));
        assertThat(ports.ports().ftUnicast()).isEqualTo(26777);
        Files.delete(file);
        assertThat(ports.ports()).isEqualTo(ServerPorts.DEFAULTS);
    }
}
