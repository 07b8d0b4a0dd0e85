package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.BadRequestException;
import javax.ws.rs.GET;
import javax.ws.rs.HttpMethod;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.api.execution.ResultPage;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.rest.internal.ProblemMapper;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ExecutionDto;
import org.opendpm.rest.internal.dto.ExecutionLogLineDto;
import org.opendpm.rest.internal.dto.ExecutionRemoveErrorDto;
import org.opendpm.rest.internal.dto.ExecutionRequestDto;
import org.opendpm.rest.internal.dto.ExecutionStepDto;
import org.opendpm.rest.internal.dto.ExecutionStepDto.StepProgressDto;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.dto.ResultPageDto;
import org.opendpm.rest.internal.json.JsonProvider;

import io.swagger.v3.oas.annotations.Operation;

/** Executions (EXE-1, EXE-6), results (EXE-7) and Remove Error (EXE-8) over REST, against a test double. */
public class ExecutionResourcesTest {

    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /**
     * Machines 7 and 8 exist, 8 is executing already (409), scenario 3 exists; execution 1 runs on 7 and execution 2
     * has finished.
     */
    static final class Executions implements ExecutionService {
        /** Execution 1 is at its second step of three, execution 2 failed at its first; others are unknown. */
        @Override
        public List<ExecutionStep> steps(long executionId) {
            if (execution(executionId).state().finished()) {
                return List.of(new ExecutionStep(1, "agent-command", "Agent command", ExecutionStep.State.FAILED,
                        Optional.empty(), Optional.of(T0.plusSeconds(5)), Optional.of(T0.plusSeconds(60)), 1,
                        "agent lost"));
            }
            return List.of(new ExecutionStep(1, "reboot-deployos", "Reboot into the Deploy-OS",
                    ExecutionStep.State.DONE, Optional.empty(), Optional.of(T0.plusSeconds(5)),
                    Optional.of(T0.plusSeconds(30)), 1, ""),
                    new ExecutionStep(2, "transfer", "Transfer", ExecutionStep.State.RUNNING, Optional.of(
                            new ExecutionStep.Progress(3L << 30, 8L << 30, "bytes")),
                            Optional.of(T0.plusSeconds(
                                    31)),
                            Optional.empty(), 2, ""),
                    new ExecutionStep(3, "local-boot", "Local boot", ExecutionStep.State.PENDING, Optional.empty(),
                            Optional.empty(), Optional.empty(), 0, ""));
        }

        @Override
        public List<ExecutionStep.LogLine> log(long executionId) {
            execution(executionId);
            return executionId == 1
                    ? List.of(new ExecutionStep.LogLine(1, T0.plusSeconds(29), "agent said hello"),
                            new ExecutionStep.LogLine(2, T0.plusSeconds(32), "sending disk 1"))
                    : List.of();
        }

        final List<ExecuteRequest> requests = new ArrayList<>();
        final List<ResultQuery> queries = new ArrayList<>();
        final List<String> cancelledBy = new ArrayList<>();

        static Execution running(long id, long machineId) {
            return new Execution(id, machineId, "pc-" + machineId, 3, "backup", ExecutionState.RUNNING, 2, 5,
                    "Agent command", Optional.of(40), "alice", T0, Optional.of(T0.plusSeconds(5)), Optional.empty(),
                    "copying", Optional.of(new ExecutionStep.Progress(3L << 30, 8L << 30, "bytes", 100L << 20, 51)));
        }

        static Execution finished(long id, long machineId) {
            return new Execution(id, machineId, "pc-" + machineId, 3, "backup", ExecutionState.FAILED, 3, 5,
                    "Wait for agent", Optional.empty(), "schedule:4", T0, Optional.of(T0.plusSeconds(5)),
                    Optional.of(T0.plusSeconds(60)), "agent lost");
        }

        private static void machine(long id) {
            if (id != 7 && id != 8) {
                throw new NotFoundException("Machine " + id + " does not exist");
            }
        }

        @Override
        public List<Execution> execute(ExecuteRequest request) {
            requests.add(request);
            request.scenarioId().ifPresent(s -> {
                if (s != 3) {
                    throw new NotFoundException("Scenario " + s + " does not exist");
                }
            });
            request.machineIds().forEach(Executions::machine);
            if (request.machineIds().contains(8L)) {
                throw new ConflictException("Machine pc-8 is executing a scenario already; nothing was started");
            }
            List<Execution> out = new ArrayList<>();
            for (long id : request.machineIds()) {
                out.add(running(100 + id, id));
            }
            return out;
        }

        @Override
        public List<Execution> active() {
            return List.of(running(1, 7));
        }

        @Override
        public Execution execution(long id) {
            if (id == 1) {
                return running(1, 7);
            }
            if (id == 2) {
                return finished(2, 8);
            }
            throw new NotFoundException("Execution " + id + " does not exist");
        }

        @Override
        public Execution cancel(long id, String by) {
            if (execution(id).state().finished()) {
                throw new ConflictException("Execution " + id + " has finished already");
            }
            cancelledBy.add(by);
            Execution e = running(id, 7);
            return new Execution(id, 7, "pc-7", 3, "backup", ExecutionState.CANCELLED, e.step(), e.steps(),
                    e.stepName(), Optional.empty(), e.requestedBy(), T0, e.startedAt(), Optional.of(T0.plusSeconds(9)),
                    "cancelled by " + by);
        }

        @Override
        public ResultPage results(ResultQuery query) {
            queries.add(query);
            return new ResultPage(42, List.of(finished(2, 8)));
        }

        @Override
        public boolean removeError(long machineId) {
            machine(machineId);
            return machineId == 8;
        }
    }

    static SecurityContext user(String name) {
        Principal p = () -> name;
        return new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return p;
            }

            @Override
            public boolean isUserInRole(String role) {
                return true;
            }

            @Override
            public boolean isSecure() {
                return false;
            }

            @Override
            public String getAuthenticationScheme() {
                return BASIC_AUTH;
            }
        };
    }

    /** The problem body the mapper makes of an exception, checked to carry the status. */
    static Problem problem(Throwable e, int status) {
        Response r = new ProblemMapper().toResponse(e);
        assertThat(r.getStatus()).as(String.valueOf(e)).isEqualTo(status);
        return (Problem) r.getEntity();
    }

    /** The 400 problem of a body the strict JSON reader refuses. */
    static Problem badJson(String body, Class<?> type) {
        try {
            JsonProvider.mapper().readValue(body, type);
        } catch (Exception e) {
            return problem(new BadRequestException(e), 400);
        }
        throw new AssertionError("accepted: " + body);
    }

    /** Role of each HTTP method, by method name; fails on a method without @RolesAllowed or @Operation. */
    static Map<String, String> roles(Class<?> resource) {
        Map<String, String> result = new TreeMap<>();
        for (Method m : resource.getDeclaredMethods()) {
            boolean http = Arrays.stream(m.getAnnotations())
                    .anyMatch(a -> a.annotationType().isAnnotationPresent(HttpMethod.class));
            if (!http) {
                continue;
            }
            assertThat(m.getAnnotation(Operation.class)).as(m.getName() + " has @Operation").isNotNull();
            RolesAllowed roles = m.getAnnotation(RolesAllowed.class);
            assertThat(roles).as(m.getName() + " has @RolesAllowed").isNotNull();
            assertThat(roles.value()).hasSize(1);
            if (m.isAnnotationPresent(GET.class)) {
                assertThat(roles.value()[0]).as(m.getName() + " reads").isEqualTo(Roles.VIEWER);
            }
            result.put(m.getName(), roles.value()[0]);
        }
        return result;
    }

    private final Executions service = new Executions();
    private final ExecutionResource executions = new ExecutionResource(service);
    private final ResultResource results = new ResultResource(service);
    private final MachineErrorResource errors = new MachineErrorResource(service);

    private static ExecutionRequestDto json(String body) throws Exception {
        return JsonProvider.mapper().readValue(body, ExecutionRequestDto.class);
    }

    private static String field(Throwable e) {
        assertThat(e).isInstanceOf(ValidationException.class);
        return ((ValidationException) e).field();
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(ExecutionResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("execute",
                Roles.OPERATOR, "list", Roles.VIEWER, "get", Roles.VIEWER, "cancel", Roles.OPERATOR, "steps",
                Roles.VIEWER, "log",
                Roles.VIEWER));
        assertThat(roles(ResultResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER));
        assertThat(roles(MachineErrorResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("removeError",
                Roles.OPERATOR));
    }

    /** EXE-1: a user's request is all or none and carries the user's name. */
    @Test
    public void executeStartsTheMachinesAsTheUser() throws Exception {
        Response r = executions.execute(json("{\"machineIds\":[7],\"scenarioId\":3}"), user("alice"));
        assertThat(r.getStatus()).isEqualTo(201);
        @SuppressWarnings("unchecked")
        List<ExecutionDto> started = (List<ExecutionDto>) r.getEntity();
        assertThat(started).extracting(ExecutionDto::id, ExecutionDto::machineId, ExecutionDto::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(107L, 7L, "RUNNING"));
        assertThat(service.requests.get(0)).isEqualTo(new ExecuteRequest(List.of(7L), Optional.of(3L), true,
                "alice"));

        executions.execute(json("{\"machineIds\":[7]}"), user("bob"));
        assertThat(service.requests.get(1).scenarioId()).isEmpty();
        assertThat(service.requests.get(1).requestedBy()).isEqualTo("bob");
    }

    /** EXE-1: the body is checked before the service sees it, and the answer names the field. */
    @Test
    public void executeRefusesBadBodiesNamingTheField() throws Exception {
        assertThat(field(catchIt(() -> executions.execute(null, user("alice"))))).isNull();
        assertThat(field(catchIt(() -> executions.execute(json("{}"), user("alice"))))).isEqualTo("machineIds");
        assertThat(field(catchIt(() -> executions.execute(json("{\"machineIds\":[]}"), user("alice")))))
                .isEqualTo("machineIds");
        assertThat(field(catchIt(() -> executions.execute(json("{\"machineIds\":[7,null]}"), user("alice")))))
                .isEqualTo("machineIds[1]");
        Throwable twice = catchIt(() -> executions.execute(json("{\"machineIds\":[7,8,7]}"), user("alice")));
        assertThat(field(twice)).isEqualTo("machineIds[2]");
        assertThat(twice).hasMessageContaining("Machine 7 is listed twice");
        String tooMany = LongStream.rangeClosed(1, ExecutionResource.MAX_MACHINES + 1).mapToObj(Long::toString)
                .collect(Collectors.joining(",", "{\"machineIds\":[", "]}"));
        Throwable limit = catchIt(() -> executions.execute(json(tooMany), user("alice")));
        assertThat(field(limit)).isEqualTo("machineIds");
        assertThat(limit).hasMessageContaining("40001").hasMessageContaining("40000");
        assertThat(service.requests).isEmpty();
        // 40000 machines are the inventory's limit, and allowed.
        assertThat(ExecutionResource.machineIds(LongStream.rangeClosed(1, ExecutionResource.MAX_MACHINES).boxed()
                .toList())).hasSize(40_000);

        // Strict JSON: wrong types and unknown fields are refused naming the field.
        assertThat(badJson("{\"machineIds\":7}", ExecutionRequestDto.class).field()).isEqualTo("machineIds");
        assertThat(badJson("{\"machineIds\":[7,\"8\"]}", ExecutionRequestDto.class).field())
                .isEqualTo("machineIds[1]");
        assertThat(badJson("{\"machineIds\":[7],\"scenarioId\":\"3\"}", ExecutionRequestDto.class).field())
                .isEqualTo("scenarioId");
        assertThat(badJson("{\"machines\":[7]}", ExecutionRequestDto.class).field()).isEqualTo("machines");
    }

    /** EXE-1: unknown machines and scenarios are 404, a machine failing a precondition 409, as the service says. */
    @Test
    public void executeLeavesUnknownAndBusyMachinesToTheService() throws Exception {
        Throwable unknown = catchIt(() -> executions.execute(json("{\"machineIds\":[7,99]}"), user("alice")));
        assertThat(problem(unknown, 404).detail()).isEqualTo("Machine 99 does not exist");
        Throwable scenario = catchIt(() -> executions.execute(json("{\"machineIds\":[7],\"scenarioId\":5}"),
                user("alice")));
        assertThat(problem(scenario, 404).detail()).contains("Scenario 5");
        Throwable busy = catchIt(() -> executions.execute(json("{\"machineIds\":[7,8]}"), user("alice")));
        assertThat(problem(busy, 409).detail()).contains("pc-8", "nothing was started");
    }

    /** EXE-6: the list and one execution, with the step, its progress and null for what has not happened. */
    @Test
    public void listAndGetShowStepProgressAndTimes() {
        ExecutionDto running = new ExecutionDto(1, 7, "pc-7", 3, "backup", "RUNNING", false, 2, 5, "Agent command", 40,
                "alice", "2026-03-01T10:00:00Z", "2026-03-01T10:00:05Z", null, "copying",
                new StepProgressDto(3L << 30, 8L << 30, "bytes", 37, 100L << 20, 51L));
        assertThat(executions.list()).containsExactly(running);
        assertThat(executions.get("1")).isEqualTo(running);
        ExecutionDto done = executions.get(" 2 ");
        assertThat(done.finished()).isTrue();
        assertThat(done.progress()).isNull();
        assertThat(done.stepProgress()).isNull();
        assertThat(done.endedAt()).isEqualTo("2026-03-01T10:01:00Z");
        assertThat(done.requestedBy()).isEqualTo("schedule:4");

        assertThat(field(catchIt(() -> executions.get("one")))).isEqualTo("id");
        assertThat(problem(catchIt(() -> executions.get("9")), 404).detail()).isEqualTo("Execution 9 does not"
                + " exist");
    }

    /** EXE-6: the steps of a running execution with state, progress and times; null for what has not happened. */
    @Test
    public void stepsShowStateProgressAndTimes() throws Exception {
        List<ExecutionStepDto> steps = executions.steps("1");
        assertThat(steps).extracting(ExecutionStepDto::number, ExecutionStepDto::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "DONE"), org.assertj.core.groups.Tuple.tuple(2, "RUNNING"),
                org.assertj.core.groups.Tuple.tuple(3, "PENDING"));
        assertThat(steps.get(0)).isEqualTo(new ExecutionStepDto(1, "reboot-deployos", "Reboot into the Deploy-OS",
                "DONE", null, "2026-03-01T10:00:05Z", "2026-03-01T10:00:30Z", 1, ""));
        assertThat(steps.get(1).progress()).isEqualTo(new StepProgressDto(3L << 30, 8L << 30, "bytes", 37));
        assertThat(steps.get(1).attempts()).isEqualTo(2);
        assertThat(steps.get(1).endedAt()).isNull();
        assertThat(steps.get(2).startedAt()).isNull();
        // On the wire a progress without a known total has no percent.
        String json = JsonProvider.mapper().writeValueAsString(StepProgressDto.of(new ExecutionStep.Progress(5, -1,
                "files")));
        assertThat(json).isEqualTo("{\"done\":5,\"total\":-1,\"unit\":\"files\"}");
        // IMG-6: bytes, per cent, rate and seconds left, as GET /executions shows them.
        String list = JsonProvider.mapper().writeValueAsString(executions.list().get(0).stepProgress());
        assertThat(list).isEqualTo("{\"done\":3221225472,\"total\":8589934592,\"unit\":\"bytes\",\"percent\":37,"
                + "\"rate\":104857600,\"etaSeconds\":51}");
    }

    /** EXE-7: a finished execution keeps its steps and log; an unknown id is 404, a bad one 400 naming it. */
    @Test
    public void stepsAndLogOfFinishedAndUnknownExecutions() {
        assertThat(executions.steps("2")).extracting(ExecutionStepDto::state, ExecutionStepDto::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("FAILED", "agent lost"));
        assertThat(executions.log("2")).isEmpty();
        assertThat(executions.log("1")).containsExactly(new ExecutionLogLineDto(1, "2026-03-01T10:00:29Z",
                "agent said hello"), new ExecutionLogLineDto(2, "2026-03-01T10:00:32Z", "sending disk 1"));
        assertThat(problem(catchIt(() -> executions.steps("9")), 404).detail()).isEqualTo("Execution 9 does not"
                + " exist");
        assertThat(problem(catchIt(() -> executions.log("9")), 404).detail()).isEqualTo("Execution 9 does not"
                + " exist");
        assertThat(problem(catchIt(() -> executions.steps("nine")), 400).field()).isEqualTo("id");
        assertThat(problem(catchIt(() -> executions.log("-")), 400).field()).isEqualTo("id");
    }

    /** Percent is rounded down so 100 means done, and stays within 0..100 for any counts a step reports. */
    @Test
    public void percentIsRoundedDownAndBounded() {
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(0, 10, "files")).percent()).isZero();
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(999, 1000, "files")).percent()).isEqualTo(99);
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(1000, 1000, "files")).percent()).isEqualTo(100);
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(1500, 1000, "files")).percent()).isEqualTo(100);
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(-3, 1000, "files")).percent()).isZero();
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(5, 0, "files")).percent()).isNull();
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(5, -1, "files")).percent()).isNull();
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(Long.MAX_VALUE - 1, Long.MAX_VALUE, "bytes"))
                .percent()).isEqualTo(99);
        assertThat(StepProgressDto.of(new ExecutionStep.Progress(Long.MAX_VALUE / 2, Long.MAX_VALUE, "bytes"))
                .percent()).isEqualTo(49);
    }

    @Test
    public void cancelEndsARunningExecutionAndRefusesAFinishedOne() {
        ExecutionDto cancelled = executions.cancel("1", user("carol"));
        assertThat(cancelled.state()).isEqualTo("CANCELLED");
        assertThat(service.cancelledBy).containsExactly("carol");
        assertThat(problem(catchIt(() -> executions.cancel("2", user("carol"))), 409).detail())
                .contains("finished already");
        assertThat(problem(catchIt(() -> executions.cancel("9", user("carol"))), 404).status()).isEqualTo(404);
        assertThat(field(catchIt(() -> executions.cancel("1x", user("carol"))))).isEqualTo("id");
        assertThat(service.cancelledBy).hasSize(1);
    }

    /** EXE-7: filters reach the query; defaults are offset 0 and limit 100. */
    @Test
    public void resultsPassFiltersAndPage() {
        ResultPageDto page = results.list(null, null, null, null, null, null, null, null);
        assertThat(page.total()).isEqualTo(42);
        assertThat(page.offset()).isZero();
        assertThat(page.limit()).isEqualTo(100);
        assertThat(page.results()).extracting(ExecutionDto::message).containsExactly("agent lost");
        assertThat(service.queries.get(0)).isEqualTo(new ResultQuery(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 0, 100));

        results.list("7", "5", "3", "failed", "2026-03-01T00:00:00Z", "2026-03-02T09:00:00+09:00", "20", "1000");
        assertThat(service.queries.get(1)).isEqualTo(new ResultQuery(Optional.of(7L), Optional.of(3L),
                Optional.of(Instant.parse("2026-03-01T00:00:00Z")), Optional.of(Instant.parse("2026-03-02T00:00:00Z")),
                20, 1000, Optional.of(5L), Optional.of(ExecutionState.FAILED)));
    }

    /** EXE-7: each bad parameter is a 400 naming it, and the service is not asked. */
    @Test
    public void resultsRefuseBadParametersNamingThem() {
        assertThat(field(catchIt(() -> results.list("pc-7", null, null, null, null, null, null, null))))
                .isEqualTo("machineId");
        assertThat(field(catchIt(() -> results.list(null, null, "x", null, null, null, null, null))))
                .isEqualTo("scenarioId");
        Throwable from = catchIt(() -> results.list(null, null, null, null, "2026-03-01", null, null, null));
        assertThat(field(from)).isEqualTo("from");
        assertThat(from).hasMessageContaining("ISO-8601").hasMessageContaining("'2026-03-01'");
        assertThat(field(catchIt(() -> results.list(null, null, null, null, null, "yesterday", null, null))))
                .isEqualTo("to");
        assertThat(field(
                catchIt(() -> results.list(null, null, null, null, "2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z", null,
                        null))))
                .isEqualTo("to");
        assertThat(field(
                catchIt(() -> results.list(null, null, null, null, "2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", null,
                        null))))
                .isEqualTo("to");
        assertThat(field(catchIt(() -> results.list(null, null, null, null, null, null, "-1", null))))
                .isEqualTo("offset");
        assertThat(field(catchIt(() -> results.list(null, null, null, null, null, null, null, "0"))))
                .isEqualTo("limit");
        Throwable limit = catchIt(() -> results.list(null, null, null, null, null, null, null, "1001"));
        assertThat(problem(limit, 400).field()).isEqualTo("limit");
        assertThat(limit).hasMessageContaining("1 to 1000");
        assertThat(field(catchIt(() -> results.list(null, null, null, null, null, null, null, "ten"))))
                .isEqualTo("limit");
        assertThat(field(catchIt(() -> results.list(null, "g", null, null, null, null, null, null))))
                .isEqualTo("groupId");
        Throwable running = catchIt(() -> results.list(null, null, null, "RUNNING", null, null, null, null));
        assertThat(field(running)).isEqualTo("state");
        assertThat(running).hasMessageContaining("COMPLETED, FAILED, TIMED_OUT, CANCELLED");
        assertThat(field(catchIt(() -> results.list(null, null, null, "done", null, null, null, null))))
                .isEqualTo("state");
        assertThat(service.queries).isEmpty();
    }

    /** EXE-8: removed tells whether there was an error status; an unknown machine is 404. */
    @Test
    public void removeErrorSaysWhetherThereWasOne() {
        assertThat(errors.removeError("8")).isEqualTo(new ExecutionRemoveErrorDto(8, true));
        assertThat(errors.removeError("7")).isEqualTo(new ExecutionRemoveErrorDto(7, false));
        assertThat(problem(catchIt(() -> errors.removeError("99")), 404).detail()).contains("99");
        assertThat(problem(catchIt(() -> errors.removeError("pc-7")), 400).field()).isEqualTo("id");
    }

    static Throwable catchIt(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).as("refused").isNotNull();
        return t;
    }

    @Test
    public void withoutABodyTheAnswerIs400() {
        assertThatThrownBy(() -> executions.execute(null, user("alice"))).isInstanceOf(ValidationException.class)
                .hasMessage("A JSON body is required");
    }
}
