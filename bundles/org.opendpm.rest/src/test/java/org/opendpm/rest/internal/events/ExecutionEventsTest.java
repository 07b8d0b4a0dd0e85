package org.opendpm.rest.internal.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.rest.internal.dto.ExecutionDto;

/**
 * The execution events (EXE-6, IMG-6): many progress reports between two readings become one event per execution, an
 * unchanged execution sends nothing, a finished one is sent once as it leaves the list, a new listener gets the whole
 * list first, a closed listener is dropped, and listeners are bounded.
 */
public class ExecutionEventsTest {

    /** The executions the engine reports, by id; active ones are WAITING or RUNNING. */
    private final Map<Long, Execution> engine = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();

    @After
    public void stop() {
        reader.shutdownNow();
    }

    private final ExecutionService service = (ExecutionService) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{ ExecutionService.class }, (proxy, m, args) -> switch (m.getName()) {
            case "active" -> engine.values().stream().filter(e -> !e.state().finished()).sorted((a, b) -> Long
                    .compare(a.id(), b.id())).toList();
            case "execution" -> {
                Execution e = engine.get((Long) args[0]);
                if (e == null) {
                    throw new NotFoundException("No execution " + args[0]);
                }
                yield e;
            }
            default -> throw new AssertionError("not used: " + m);
            });

    private static Execution execution(long id, ExecutionState state, long done) {
        return new Execution(id, id, "pc" + id, 1, "Backup", state, 1, 1, "Backup", Optional.of((int) (done * 100
                / 1000)), "alice", Instant.parse("2026-01-01T08:00:00Z"), Optional.empty(), Optional.empty(), "",
                Optional.of(new ExecutionStep.Progress(done, 1000, "bytes", 100, (1000 - done) / 100)));
    }

    /** A listener that records its events; closed when told. */
    private static final class Recorder implements ExecutionEvents.Listener {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        int pings;

        @Override
        public boolean send(String name, String data) {
            if (closed) {
                return false;
            }
            events.add(name + " " + data);
            return true;
        }

        @Override
        public boolean ping() {
            pings++;
            return !closed;
        }
    }

    private static ExecutionEvents.Config config(int max) {
        return new ExecutionEvents.Config() {
            @Override
            public int maxListeners() {
                return max;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return ExecutionEvents.Config.class;
            }
        };
    }

    private void drain() throws Exception {
        reader.submit(() -> {
        }).get(5, TimeUnit.SECONDS);
    }

    @Test
    public void progressBetweenReadingsIsCoalescedIntoOneEventPerExecution() throws Exception {
        ExecutionEvents events = new ExecutionEvents(service, config(10), reader);
        engine.put(1L, execution(1, ExecutionState.RUNNING, 0));
        engine.put(2L, execution(2, ExecutionState.RUNNING, 0));
        Recorder r = new Recorder();
        assertThat(events.listen(r)).isTrue();
        drain();
        assertThat(r.events).hasSize(1);
        assertThat(r.events.get(0)).startsWith("snapshot [{\"id\":1,").contains("\"id\":2,");

        // Many reports between two readings: one event, with the last of them.
        for (long done = 10; done <= 500; done += 10) {
            engine.put(1L, execution(1, ExecutionState.RUNNING, done));
        }
        events.tick();
        assertThat(r.events).hasSize(2);
        assertThat(r.events.get(1)).startsWith("execution {\"id\":1,").contains("\"done\":500").contains(
                "\"percent\":50").contains("\"rate\":100").contains("\"etaSeconds\":5");

        events.tick();
        assertThat(r.events).as("nothing changed, nothing sent").hasSize(2);

        engine.put(2L, execution(2, ExecutionState.COMPLETED, 1000));
        events.tick();
        assertThat(r.events).hasSize(3);
        assertThat(r.events.get(2)).startsWith("execution {\"id\":2,").contains("\"state\":\"COMPLETED\"").contains(
                "\"finished\":true");
        events.tick();
        assertThat(r.events).as("a finished execution is sent once").hasSize(3);
    }

    @Test
    public void anExecutionThatVanishedIsNotSentAndAClosedListenerIsDroppedAndListenersAreBounded()
            throws Exception {
        ExecutionEvents events = new ExecutionEvents(service, config(2), reader);
        engine.put(1L, execution(1, ExecutionState.RUNNING, 0));
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        assertThat(events.listen(a)).isTrue();
        assertThat(events.listen(b)).isTrue();
        assertThat(events.listen(new Recorder())).as("a third listener").isFalse();
        drain();
        engine.remove(1L);
        events.tick();
        assertThat(a.events).hasSize(1);

        b.closed = true;
        engine.put(3L, execution(3, ExecutionState.WAITING, 0));
        events.tick();
        assertThat(a.events).hasSize(2);
        assertThat(events.listening()).isEqualTo(1);
        Recorder c = new Recorder();
        assertThat(events.listen(c)).as("the closed one's place is free").isTrue();
        drain();
        assertThat(c.events).hasSize(1);
    }

    @Test
    public void closedListenersAreFoundByThePingEvenWhenNothingChanges() throws Exception {
        ExecutionEvents events = new ExecutionEvents(service, config(1), reader);
        Recorder a = new Recorder();
        events.listen(a);
        drain();
        a.closed = true;
        for (int i = 0; i < ExecutionEvents.PING_EVERY; i++) {
            events.tick();
        }
        assertThat(a.pings).isEqualTo(1);
        assertThat(events.listening()).isZero();
    }

    @Test
    public void changesAreComparedWithWhatWasSent() {
        ExecutionChanges changes = new ExecutionChanges();
        List<Long> asked = new ArrayList<>();
        var one = ExecutionDto.of(execution(1, ExecutionState.RUNNING, 100));
        assertThat(changes.next(List.of(one), id -> {
            asked.add(id);
            return Optional.empty();
        })).containsExactly(one);
        assertThat(changes.next(List.of(ExecutionDto.of(execution(1, ExecutionState.RUNNING, 100))), id -> Optional
                .empty())).isEmpty();
        var ended = ExecutionDto.of(execution(1, ExecutionState.FAILED, 100));
        assertThat(changes.next(List.of(), id -> {
            asked.add(id);
            return Optional.of(ended);
        })).containsExactly(ended);
        assertThat(asked).containsExactly(1L);
        changes.clear();
        assertThat(changes.next(List.of(one), id -> Optional.empty())).containsExactly(one);
    }
}
