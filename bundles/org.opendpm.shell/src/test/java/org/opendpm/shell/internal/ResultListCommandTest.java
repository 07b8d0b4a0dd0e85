package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultPage;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.NetworkSetting;

/** EXE-8: dpm:result-list filters by group and result as the Result List of REST and the console do. */
public class ResultListCommandTest {

    private final List<ResultQuery> asked = new ArrayList<>();

    private ExecutionCommands.ResultList command() {
        var c = new ExecutionCommands.ResultList();
        c.executions = (ExecutionService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ ExecutionService.class }, (p, m, args) -> {
                    if (!m.getName().equals("results")) {
                        throw new AssertionError("unexpected call " + m.getName());
                    }
                    asked.add((ResultQuery) args[0]);
                    return new ResultPage(0, List.of());
                });
        c.inventory = (InventoryService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ InventoryService.class }, (p, m, args) -> {
                    if (!m.getName().equals("findGroup")) {
                        throw new AssertionError("unexpected call " + m.getName());
                    }
                    return "/Servers/Web".equals(args[0])
                            ? Optional.of(new MachineGroup(42, "/Servers/Web", "Web", Optional.of(1L), 2,
                                    NetworkSetting.SAME_SUBNET, 3))
                            : Optional.empty();
                });
        return c;
    }

    @Test
    public void groupAndResultReachTheQuery() {
        var c = command();
        c.group = "/Servers/Web";
        c.result = "timed_out";
        c.execute();
        assertThat(asked).singleElement().satisfies(q -> {
            assertThat(q.groupId()).contains(42L);
            assertThat(q.state()).contains(ExecutionState.TIMED_OUT);
            assertThat(q.machineId()).isEmpty();
            assertThat(q.limit()).isEqualTo(20);
        });
    }

    @Test
    public void anUnknownGroupOrAStateThatIsNoResultIsRefusedBeforeAnythingIsAsked() {
        var unknownGroup = command();
        unknownGroup.group = "/Nowhere";
        assertThatThrownBy(unknownGroup::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No machine group /Nowhere");
        var running = command();
        running.result = "running";
        assertThatThrownBy(running::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-r must be a result: COMPLETED, FAILED, TIMED_OUT, CANCELLED; not 'running'");
        assertThat(asked).isEmpty();
    }
}
