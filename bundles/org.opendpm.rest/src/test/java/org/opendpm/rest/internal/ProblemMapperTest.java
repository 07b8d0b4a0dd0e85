package org.opendpm.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import javax.ws.rs.BadRequestException;
import javax.ws.rs.core.Response;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreBusyException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.FileProblem;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.rest.internal.dto.NewUserDto;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.dto.SettingsDto;
import org.opendpm.rest.internal.json.JsonProvider;

/** Bad input becomes a 400 problem naming the field; other errors get their status. */
public class ProblemMapperTest {

    private final ProblemMapper mapper = new ProblemMapper();

    private Problem read(String json, Class<?> type) {
        try {
            JsonProvider.mapper().readValue(json, type);
        } catch (Exception e) {
            // CXF hands a reader's failure over wrapped; the mapper must look inside.
            Response r = mapper.toResponse(new BadRequestException(e));
            return (Problem) r.getEntity();
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    public void anAbsentAgentIsAConflictAndAFailedAgentRequestABadGateway() {
        var absent = new ProblemMapper().toResponse(new org.opendpm.api.agent.AgentUnavailableException(
                "Machine web01 has no connected agent"));
        assertThat(absent.getStatus()).isEqualTo(409);
        assertThat(((Problem) absent.getEntity()).detail()).isEqualTo("Machine web01 has no connected agent");
        var failed = new ProblemMapper().toResponse(new org.opendpm.api.agent.AgentRequestException(
                "no such file: /etc/x"));
        assertThat(failed.getStatus()).isEqualTo(502);
    }

    @Test
    public void malformedJsonSaysWhere() {
        Problem p = read("{\"scenarioTimeoutMinutes\": 5", SettingsDto.class);
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.title()).isEqualTo("Malformed JSON");
        assertThat(p.detail()).contains("line 1");
    }

    @Test
    public void unknownFieldIsNamedWithTheKnownOnes() {
        Problem p = read("{\"scenarioTimeout\": 5}", SettingsDto.class);
        assertThat(p.field()).isEqualTo("scenarioTimeout");
        assertThat(p.detail()).contains("scenarioTimeoutMinutes");
    }

    @Test
    public void wrongTypesAreNamedNotCoerced() {
        assertThat(read("{\"scenarioTimeoutMinutes\": \"5\"}", SettingsDto.class).field())
                .isEqualTo("scenarioTimeoutMinutes");
        assertThat(read("{\"useDhcpServer\": 1}", SettingsDto.class).field()).isEqualTo("useDhcpServer");
        assertThat(read("{\"useDhcpServer\": \"yes\"}", SettingsDto.class).field()).isEqualTo("useDhcpServer");
        assertThat(read("{\"imageFolder\": 7}", SettingsDto.class).field()).isEqualTo("imageFolder");
        Problem list = read("{\"name\":\"a\",\"password\":\"p\",\"roles\":\"admin\"}", NewUserDto.class);
        assertThat(list.field()).isEqualTo("roles");
        assertThat(list.detail()).contains("a list");
        assertThat(read("{\"scenarioTimeoutMinutes\": 5} {}", SettingsDto.class).status()).isEqualTo(400);
        assertThat(read("{\"scenarioTimeoutMinutes\": 5, \"scenarioTimeoutMinutes\": 6}", SettingsDto.class)
                .status()).isEqualTo(400);
    }

    @Test
    public void goodInputIsRead() throws Exception {
        SettingsDto dto = JsonProvider.mapper().readValue("{\"scenarioTimeoutMinutes\": 5, \"useDhcpServer\": false,"
                + " \"imageFolder\": \"/srv\"}", SettingsDto.class);
        assertThat(dto.scenarioTimeoutMinutes()).isEqualTo(5);
        assertThat(dto.useDhcpServer()).isFalse();
        assertThat(dto.machinesForSimultaneousExecution()).isNull();
    }

    @Test
    public void domainErrorsGetTheirStatus() {
        assertThat(status(new ValidationException("name", "bad"))).isEqualTo(400);
        assertThat(((Problem) mapper.toResponse(new ValidationException("name", "bad")).getEntity()).field())
                .isEqualTo("name");
        assertThat(status(new NotFoundException("x"))).isEqualTo(404);
        assertThat(status(new ConflictException("x"))).isEqualTo(409);
        assertThat(status(new StoreUnavailableException("x"))).isEqualTo(503);
        Problem internal = (Problem) mapper.toResponse(new IllegalStateException("secret detail")).getEntity();
        assertThat(internal.status()).isEqualTo(500);
        assertThat(internal.detail()).doesNotContain("secret");
    }

    @Test
    public void aBusyDatabaseIsTriedAgainNotAnInternalError() {
        // What the store throws when a read stays a deadlock's victim after its attempts (Derby SQLState 40001).
        var busy = new StoreBusyException("The database gave up on this request for other work at the same moment "
                + "(a deadlock or a lock time-out, SQLState 40001)",
                new java.sql.SQLException("A lock could not be obtained due to a deadlock", "40001"));
        Response r = mapper.toResponse(busy);
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("1");
        Problem p = (Problem) r.getEntity();
        assertThat(p.title()).isEqualTo("Database busy, try again");
        assertThat(p.detail()).contains("SQLState 40001");
        // An unreachable database stays "unavailable", without a promise of when.
        Response away = mapper.toResponse(new StoreUnavailableException("no DataSource"));
        assertThat(((Problem) away.getEntity()).title()).isEqualTo("Database unavailable");
        assertThat(away.getHeaderString("Retry-After")).isNull();
    }

    @Test
    public void aRefusedFileListsEveryBadLineAndAPlainProblemListsNone() throws Exception {
        var refused = new InvalidFileException("The import file", List.of(
                new FileProblem(3, "macs", "not a MAC address", false), new FileProblem(9, null, "7 fields", false)));
        Problem p = (Problem) mapper.toResponse(refused).getEntity();
        assertThat(p.status()).isEqualTo(400);
        assertThat(p.detail()).contains("line 3, field macs").contains("line 9");
        assertThat(p.errors()).containsExactly(new Problem.LineError(3, "macs", "not a MAC address"),
                new Problem.LineError(9, null, "7 fields"));
        String json = JsonProvider.mapper().writeValueAsString(p);
        assertThat(json).contains("\"errors\":[{\"line\":3,\"field\":\"macs\"").contains("{\"line\":9,\"message\"");
        Problem plain = (Problem) mapper.toResponse(new ConflictException("x")).getEntity();
        assertThat(JsonProvider.mapper().writeValueAsString(plain)).doesNotContain("errors");
    }

    private int status(Throwable t) {
        return mapper.toResponse(t).getStatus();
    }
}
