package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.badJson;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.user;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.Response;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.files.FileOperation;
import org.opendpm.api.files.FileOperationKind;
import org.opendpm.api.files.FileOperationService;
import org.opendpm.api.files.FileOperationState;
import org.opendpm.api.files.ServerFile;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.FileDeleteDto;
import org.opendpm.rest.internal.dto.FileOnServerDto;
import org.opendpm.rest.internal.dto.FileOperationDto;
import org.opendpm.rest.internal.dto.FileRemoteDto;
import org.opendpm.rest.internal.dto.FileSendDto;
import org.opendpm.rest.internal.json.JsonProvider;

/** File distribution (FIL-1) and the File Operation Result List (FIL-2) over REST, against a test double. */
public class FileResourcesTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /**
     * The server folder is a map; machine 7 has an agent, machine 8 has none; on machine 7 the folder /opt lists and
     * /missing is refused by the agent. Operation 1 exists.
     */
    private static final class Files implements FileOperationService {
        final Map<String, byte[]> folder = new TreeMap<>();
        final List<String> calls = new ArrayList<>();

        private static void machine(long id) {
            if (id == 8) {
                throw new AgentUnavailableException("Machine pc-8 has no connected agent");
            }
            if (id != 7) {
                throw new NotFoundException("Machine " + id + " does not exist");
            }
        }

        private static FileOperation op(long id, long machineId, FileOperationKind kind, String source, String target,
                String permissions) {
            return new FileOperation(id, machineId, "pc-" + machineId, kind, source, target, permissions,
                    FileOperationState.RUNNING, "alice", T0, Optional.empty(), "");
        }

        @Override
        public List<ServerFile> serverFiles() {
            return folder.entrySet().stream().map(e -> new ServerFile(e.getKey(), e.getValue().length, T0, "ab12"))
                    .toList();
        }

        @Override
        public ServerFile storeServerFile(String name, InputStream content) {
            try {
                folder.put(name, content.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ServerFile(name, folder.get(name).length, T0, "ab12");
        }

        @Override
        public boolean deleteServerFile(String name) {
            return folder.remove(name) != null;
        }

        @Override
        public List<FileOperation> send(List<Long> machineIds, String serverFile, String targetFolder,
                String permissions, String requestedBy) {
            if (!folder.containsKey(serverFile)) {
                throw new NotFoundException("There is no file '" + serverFile + "' in the server's file folder");
            }
            machineIds.forEach(Files::machine);
            calls.add("send " + machineIds + " " + serverFile + " " + targetFolder + " " + permissions + " by "
                    + requestedBy);
            List<FileOperation> out = new ArrayList<>();
            for (long id : machineIds) {
                out.add(op(10 + id, id, FileOperationKind.SEND, serverFile, targetFolder, permissions));
            }
            return out;
        }

        @Override
        public FileOperation delete(long machineId, String path, String requestedBy) {
            machine(machineId);
            calls.add("delete " + machineId + " " + path + " by " + requestedBy);
            return op(20, machineId, FileOperationKind.DELETE, "", path, "");
        }

        @Override
        public List<RemoteFile> list(long machineId, String folder) {
            machine(machineId);
            if (folder.equals("/missing")) {
                throw new AgentRequestException("No such folder: /missing");
            }
            return List.of(new RemoteFile("bin", true, 0, T0, "755"), new RemoteFile("run.sh", false, 120, T0,
                    "750"));
        }

        @Override
        public FileOperation operation(long id) {
            if (id != 1) {
                throw new NotFoundException("File operation " + id + " does not exist");
            }
            return new FileOperation(1, 7, "pc-7", FileOperationKind.SEND, "run.sh", "/opt", "750",
                    FileOperationState.FAILED, "alice", T0, Optional.of(T0.plusSeconds(3)), "disk full");
        }

        @Override
        public List<FileOperation> operations(Optional<Long> machineId, int offset, int limit) {
            calls.add("operations " + machineId + " " + offset + " " + limit);
            return List.of(operation(1));
        }
    }

    private final Files files = new Files();
    private final FileResource server = new FileResource(files);
    private final FileOperationResource operations = new FileOperationResource(files);
    private final MachineFileResource machine = new MachineFileResource(files);

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static FileSendDto send(String body) throws Exception {
        return JsonProvider.mapper().readValue(body, FileSendDto.class);
    }

    private static String field(Throwable e) {
        return problem(e, 400).field();
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(FileResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER, "put",
                Roles.OPERATOR, "delete", Roles.OPERATOR));
        assertThat(roles(FileOperationResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("send",
                Roles.OPERATOR, "list", Roles.VIEWER, "get", Roles.VIEWER));
        assertThat(roles(MachineFileResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER,
                "delete", Roles.OPERATOR));
    }

    /** FIL-1: a new file is 201, a replaced one 200, a deleted one 204 and then 404. */
    @Test
    public void serverFilesAreStoredReplacedListedAndDeleted() {
        Response created = server.put("setup.sh", bytes("echo hi\n"));
        assertThat(created.getStatus()).isEqualTo(201);
        assertThat(created.getEntity()).isEqualTo(new FileOnServerDto("setup.sh", 8, "2026-03-01T10:00:00Z",
                "ab12"));
        Response replaced = server.put("setup.sh", bytes("echo hello\n"));
        assertThat(replaced.getStatus()).isEqualTo(200);
        assertThat(new String(files.folder.get("setup.sh"), StandardCharsets.UTF_8)).isEqualTo("echo hello\n");
        assertThat(server.put("empty.txt", null).getStatus()).isEqualTo(201);
        assertThat(server.list()).extracting(FileOnServerDto::name, FileOnServerDto::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("empty.txt", 0L),
                        org.assertj.core.groups.Tuple.tuple("setup.sh", 11L));

        assertThat(server.delete("setup.sh").getStatus()).isEqualTo(204);
        assertThat(problem(catchIt(() -> server.delete("setup.sh")), 404).detail())
                .isEqualTo("There is no file 'setup.sh' in the server's file folder");
    }

    /** FIL-1: the server folder is a jail; a name that is a path never reaches the service. */
    @Test
    public void serverFileNamesThatAreNotPlainAreRefused() {
        for (String bad : List.of("..", ".", "a\\b", "a/b", " ", "tab\there", "x".repeat(256))) {
            assertThat(field(catchIt(() -> server.put(bad, bytes("x"))))).as(bad).isEqualTo("name");
            assertThat(field(catchIt(() -> server.delete(bad)))).as(bad).isEqualTo("name");
        }
        assertThat(server.put("x".repeat(255), bytes("x")).getStatus()).isEqualTo(201);
        assertThat(files.folder).containsOnlyKeys("x".repeat(255));
    }

    /** FIL-1: a send starts one operation per machine, as the user, and is answered 202. */
    @Test
    public void sendStartsOneOperationPerMachine() throws Exception {
        files.folder.put("run.sh", new byte[3]);
        Response r = operations.send(send("{\"machineIds\":[7],\"file\":\"run.sh\",\"targetFolder\":\"/opt/x\","
                + "\"permissions\":\"750\"}"), user("alice"));
        assertThat(r.getStatus()).isEqualTo(202);
        @SuppressWarnings("unchecked")
        List<FileOperationDto> ops = (List<FileOperationDto>) r.getEntity();
        assertThat(ops).containsExactly(new FileOperationDto(17, 7, "pc-7", "SEND", "run.sh", "/opt/x", "750",
                "RUNNING", "alice", "2026-03-01T10:00:00Z", null, ""));
        assertThat(files.calls).containsExactly("send [7] run.sh /opt/x 750 by alice");
    }

    /** FIL-1: every field of a send is checked and named before the service is asked. */
    @Test
    public void sendRefusesBadFieldsNamingThem() throws Exception {
        files.folder.put("run.sh", new byte[3]);
        String ok = "\"file\":\"run.sh\",\"targetFolder\":\"/opt\",\"permissions\":\"640\"";
        assertThat(field(catchIt(() -> operations.send(send("{" + ok + "}"), user("a"))))).isEqualTo("machineIds");
        assertThat(field(catchIt(() -> operations.send(send("{\"machineIds\":[]," + ok + "}"), user("a")))))
                .isEqualTo("machineIds");
        assertThat(field(catchIt(() -> operations.send(send("{\"machineIds\":[7,7]," + ok + "}"), user("a")))))
                .isEqualTo("machineIds[1]");
        assertThat(field(catchIt(() -> operations.send(send("{\"machineIds\":[7],\"targetFolder\":\"/opt\","
                + "\"permissions\":\"640\"}"), user("a"))))).isEqualTo("file");
        assertThat(field(catchIt(() -> operations.send(send("{\"machineIds\":[7],\"file\":\"../etc/passwd\","
                + "\"targetFolder\":\"/opt\",\"permissions\":\"640\"}"), user("a"))))).isEqualTo("file");
        assertThat(field(catchIt(() -> operations.send(send("{\"machineIds\":[7],\"file\":\"run.sh\","
                + "\"permissions\":\"640\"}"), user("a"))))).isEqualTo("targetFolder");
        assertThat(field(catchIt(() -> operations.send(send("{\"machineIds\":[7],\"file\":\"run.sh\","
                + "\"targetFolder\":\"/opt\"}"), user("a"))))).isEqualTo("permissions");
        for (String p : List.of("64", "0640", "888", "rwx", "6 4")) {
            Throwable e = catchIt(() -> operations.send(send("{\"machineIds\":[7],\"file\":\"run.sh\","
                    + "\"targetFolder\":\"/opt\",\"permissions\":\"" + p + "\"}"), user("a")));
            assertThat(field(e)).as(p).isEqualTo("permissions");
            assertThat(e).hasMessageContaining("three octal digits");
        }
        assertThat(field(catchIt(() -> operations.send(null, user("a"))))).isNull();
        // Strict JSON: permissions as a number would lose a leading zero, so it must be text.
        assertThat(badJson("{\"machineIds\":[7],\"file\":\"run.sh\",\"targetFolder\":\"/opt\",\"permissions\":640}",
                FileSendDto.class).field()).isEqualTo("permissions");
        assertThat(badJson("{\"machineIds\":[7],\"file\":\"run.sh\",\"folder\":\"/opt\"}", FileSendDto.class)
                .field()).isEqualTo("folder");
        assertThat(files.calls).isEmpty();
    }

    /** FIL-1: unknown machines and server files are 404; a machine without agent is the service's error. */
    @Test
    public void sendLeavesUnknownMachinesFilesAndAgentsToTheService() throws Exception {
        files.folder.put("run.sh", new byte[3]);
        assertThat(problem(catchIt(() -> operations.send(send("{\"machineIds\":[7],\"file\":\"gone.sh\","
                + "\"targetFolder\":\"/opt\",\"permissions\":\"640\"}"), user("a"))), 404).detail())
                .contains("gone.sh");
        assertThat(problem(catchIt(() -> operations.send(send("{\"machineIds\":[99],\"file\":\"run.sh\","
                + "\"targetFolder\":\"/opt\",\"permissions\":\"640\"}"), user("a"))), 404).detail())
                .contains("Machine 99");
        assertThatThrownBy(() -> operations.send(send("{\"machineIds\":[8],\"file\":\"run.sh\",\"targetFolder\":"
                + "\"/opt\",\"permissions\":\"640\"}"), user("a"))).isInstanceOf(AgentUnavailableException.class);
    }

    /** FIL-1: deleting a file on a machine is an operation answered 202; path is required. */
    @Test
    public void deleteOnAMachine() throws Exception {
        Response r = machine.delete("7", JsonProvider.mapper().readValue("{\"path\":\"/opt/old.sh\"}",
                FileDeleteDto.class), user("bob"));
        assertThat(r.getStatus()).isEqualTo(202);
        assertThat(((FileOperationDto) r.getEntity()).kind()).isEqualTo("DELETE");
        assertThat(files.calls).containsExactly("delete 7 /opt/old.sh by bob");

        assertThat(field(catchIt(() -> machine.delete("7", new FileDeleteDto(null), user("bob"))))).isEqualTo("path");
        assertThat(field(catchIt(() -> machine.delete("7", new FileDeleteDto("  "), user("bob"))))).isEqualTo("path");
        assertThat(field(catchIt(() -> machine.delete("x", new FileDeleteDto("/a"), user("bob"))))).isEqualTo("id");
        assertThat(badJson("{\"file\":\"/a\"}", FileDeleteDto.class).field()).isEqualTo("file");
        assertThat(problem(catchIt(() -> machine.delete("99", new FileDeleteDto("/a"), user("bob"))), 404).status())
                .isEqualTo(404);
        assertThatThrownBy(() -> machine.delete("8", new FileDeleteDto("/a"), user("bob")))
                .isInstanceOf(AgentUnavailableException.class);
        assertThat(files.calls).hasSize(1);
    }

    /** FIL-1: a folder listing; folder is required; the agent's refusal is the service's error. */
    @Test
    public void listAFolderOnAMachine() {
        assertThat(machine.list("7", "/opt")).containsExactly(new FileRemoteDto("bin", true, 0,
                "2026-03-01T10:00:00Z", "755"),
                new FileRemoteDto("run.sh", false, 120, "2026-03-01T10:00:00Z",
                        "750"));
        assertThat(field(catchIt(() -> machine.list("7", null)))).isEqualTo("folder");
        assertThat(field(catchIt(() -> machine.list("7", "")))).isEqualTo("folder");
        assertThat(field(catchIt(() -> machine.list("7a", "/opt")))).isEqualTo("id");
        assertThatThrownBy(() -> machine.list("7", "/missing")).isInstanceOf(AgentRequestException.class)
                .hasMessage("No such folder: /missing");
        assertThatThrownBy(() -> machine.list("8", "/opt")).isInstanceOf(AgentUnavailableException.class);
    }

    /** FIL-2: the result list with its filter and paging; one operation; bad parameters named. */
    @Test
    public void operationResultList() {
        assertThat(operations.list(null, null, null)).extracting(FileOperationDto::state, FileOperationDto::endedAt,
                FileOperationDto::message).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("FAILED",
                                "2026-03-01T10:00:03Z", "disk full"));
        operations.list("7", "10", "1000");
        assertThat(files.calls).containsExactly("operations Optional.empty 0 100", "operations Optional[7] 10 1000");
        assertThat(field(catchIt(() -> operations.list("pc-7", null, null)))).isEqualTo("machineId");
        assertThat(field(catchIt(() -> operations.list(null, "-5", null)))).isEqualTo("offset");
        assertThat(field(catchIt(() -> operations.list(null, null, "1001")))).isEqualTo("limit");
        assertThat(field(catchIt(() -> operations.list(null, null, "0")))).isEqualTo("limit");
        assertThat(files.calls).hasSize(2);

        assertThat(operations.get("1").source()).isEqualTo("run.sh");
        assertThat(problem(catchIt(() -> operations.get("2")), 404).detail()).isEqualTo("File operation 2 does not"
                + " exist");
        assertThat(field(catchIt(() -> operations.get("one")))).isEqualTo("id");
    }

    @Test
    public void withoutFileDistributionTheAnswerIs503() {
        assertThat(problem(catchIt(() -> new FileResource(null).list()), 503).detail()).contains("File distribution");
        assertThat(catchIt(() -> new FileOperationResource(null).get("1")))
                .isInstanceOf(ServiceUnavailableException.class);
        assertThat(catchIt(() -> new MachineFileResource(null).list("7", "/opt")))
                .isInstanceOf(ServiceUnavailableException.class);
    }
}
