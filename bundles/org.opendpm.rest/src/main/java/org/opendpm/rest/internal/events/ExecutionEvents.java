package org.opendpm.rest.internal.events;

import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.rest.internal.dto.ExecutionDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.opendpm.rest.internal.json.JsonProvider;

/**
 * Pushes the Scenario Execution List's changes to listeners (the console's Monitor view) as server-sent events. One
 * thread reads the list once a second while anyone listens, one query for all executions whatever the number of
 * listeners or machines, and sends what changed ({@link ExecutionChanges}): an {@code execution} event per changed
 * execution (state, step, progress with bytes, per cent, rate and time left), and the finished ones once more as they
 * leave the list. A new listener first gets a {@code snapshot} event with the whole list. The engine stores progress
 * in the database as it runs, so reading it there is what any server sharing the database could do too; an event
 * bus inside this process would see only the executions this process runs.
 *
 * <p>Listeners are bounded ({@code maxListeners}); one more is refused (503). A comment every 15 s keeps idle
 * connections through proxies and finds listeners that went away.
 */
@Component(service = ExecutionEvents.class, configurationPid = "org.opendpm.rest.events")
@Designate(ocd = ExecutionEvents.Config.class)
public class ExecutionEvents {

    @ObjectClassDefinition(name = "OpenDPM execution events")
    public @interface Config {
        @AttributeDefinition(description = "Listeners to the execution events at most at one time")
        int maxListeners() default 100;
    }

    /** Where events go: one open event stream. */
    public interface Listener {
        /** Sends one event; false when the stream is closed, and then it is dropped. */
        boolean send(String name, String data);

        /** Sends a comment, which clients ignore; false when the stream is closed. */
        boolean ping();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEvents.class);
    static final long INTERVAL_MILLIS = 1000;
    static final int PING_EVERY = 15;

    private final ExecutionService executions;
    private final int maxListeners;
    private final ObjectMapper json = JsonProvider.mapper();
    private final ExecutionChanges changes = new ExecutionChanges();
    private final Set<Listener> listeners = new CopyOnWriteArraySet<>();
    private final Queue<Listener> joining = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final ScheduledExecutorService reader;
    private int ticks;

    @Activate
    public ExecutionEvents(@Reference ExecutionService executions, Config config) {
        this(executions, config, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opendpm-execution-events");
            t.setDaemon(true);
            return t;
        }));
        reader.scheduleWithFixedDelay(this::tick, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Without a schedule: a test calls {@link #tick()} itself. */
    ExecutionEvents(ExecutionService executions, Config config, ScheduledExecutorService reader) {
        this.executions = executions;
        this.maxListeners = Math.max(1, config.maxListeners());
        this.reader = reader;
    }

    @Deactivate
    void deactivate() {
        reader.shutdownNow();
    }

    /**
     * Adds a listener, which gets the whole list at once and then the changes; false when {@code maxListeners} are
     * listening already.
     */
    public boolean listen(Listener listener) {
        if (count.incrementAndGet() > maxListeners) {
            count.decrementAndGet();
            return false;
        }
        joining.add(listener);
        reader.execute(this::tick);
        return true;
    }

    /** One reading: the list, what changed, sent to everyone listening; the whole list to those joining. */
    void tick() {
        try {
            if (listeners.isEmpty() && joining.isEmpty()) {
                return;
            }
            List<ExecutionDto> active = executions.active().stream().map(ExecutionDto::of).toList();
            List<ExecutionDto> changed = changes.next(active, this::ended);
            boolean ping = ++ticks % PING_EVERY == 0;
            for (Listener l : listeners) {
                boolean open = ping ? l.ping() : true;
                for (int i = 0; open && i < changed.size(); i++) {
                    open = l.send("execution", write(changed.get(i)));
                }
                if (!open) {
                    drop(l);
                }
            }
            for (Listener l; (l = joining.poll()) != null;) {
                if (l.send("snapshot", write(active))) {
                    listeners.add(l);
                } else {
                    count.decrementAndGet();
                }
            }
            if (listeners.isEmpty()) {
                changes.clear();
            }
        } catch (RuntimeException e) {
            // The database may be away for a while; the next reading tries again.
            LOG.debug("Reading the execution list for its listeners failed: {}", e.toString());
        }
    }

    private void drop(Listener l) {
        if (listeners.remove(l)) {
            count.decrementAndGet();
        }
    }

    private Optional<ExecutionDto> ended(long id) {
        try {
            return Optional.of(ExecutionDto.of(executions.execution(id)));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    int listening() {
        return count.get();
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An execution could not be written as JSON", e);
        }
    }
}
