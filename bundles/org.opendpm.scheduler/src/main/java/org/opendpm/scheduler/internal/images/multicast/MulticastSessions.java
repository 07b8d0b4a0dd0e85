package org.opendpm.scheduler.internal.images.multicast;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.multicast.MemberDroppedException;
import org.opendpm.api.multicast.MemberProgress;
import org.opendpm.api.multicast.MulticastOptions;
import org.opendpm.api.multicast.MulticastService;
import org.opendpm.api.multicast.MulticastSession;
import org.opendpm.api.multicast.MulticastSessionInfo;
import org.opendpm.api.multicast.MulticastSessionInfo.MemberState;
import org.opendpm.api.multicast.MulticastSessionInfo.State;
import org.opendpm.api.multicast.MulticastSessionService;
import org.opendpm.spi.AgentHandle.Multicast;
import org.opendpm.spi.StepFailedException;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forms multicast restore sessions (IMG-3, docs/multicast.md "Session lifecycle" 1). A restore step whose machine is
 * ready (its Deploy-OS agent up, its disks checked, its partition tables written) joins the waiting session of its
 * scenario and image, or opens one. A waiting session starts when its ready members reach Maximum Targets, when
 * Maximum Waiting Time has passed since its first member became ready, or on Execute Now; with neither limit only
 * Execute Now starts it. A full session takes no more members: the next ones form the next session, which waits in
 * standby while one of its scenario and image runs, and is checked again when that one ends.
 *
 * <p>
 * The sessions and their members are rows of the database; what lives here is only what cannot be stored: the
 * steps' completion stages and the running {@link MulticastSession}s. A server that stops loses those, so sessions
 * it left waiting or running are failed when it starts again (their executions end through the engine's recovery:
 * a multicast restore step is not carried out again).
 */
@Component(service = { MulticastSessions.class, MulticastSessionService.class },
        configurationPid = MulticastSessions.PID)
@Designate(ocd = MulticastSessions.Config.class)
public class MulticastSessions implements MulticastSessionService {

    static final String PID = "org.opendpm.multicast.sessions";
    private static final Logger LOG = LoggerFactory.getLogger(MulticastSessions.class);
    static final String RESTARTED = "The server stopped while this session was waiting or running; its restores"
            + " ended with it. Execute the scenario again to restore the machines";

    @ObjectClassDefinition(name = "OpenDPM multicast restore sessions", description = "How sessions run")
    public @interface Config {
        @AttributeDefinition(min = "10", max = "1800", description = "A member that confirms no new chunk for this"
                + " many seconds while it still lacks chunks is dropped from its session")
        int dropBoundSeconds() default 60;
    }

    /**
     * A machine ready for a multicast restore.
     *
     * @param condition the scenario's Maximum Targets and Maximum Waiting Time
     */
    public record Ready(long executionId, long machineId, String machineName, String imageName, Path image,
            List<ImageDisk> disks, boolean compare, long totalBytes, Multicast condition, MemberProgress progress) {
        public Ready {
            Objects.requireNonNull(imageName, "imageName");
            Objects.requireNonNull(image, "image");
            disks = List.copyOf(disks);
            Objects.requireNonNull(condition, "condition");
            Objects.requireNonNull(progress, "progress");
        }
    }

    /** A member's live part: its step's stage, its join once running, and its latest figures. */
    private static final class Live {
        final Ready ready;
        final long session;
        final CompletableFuture<ImageWriteResult> result = new CompletableFuture<>();
        volatile CompletableFuture<ImageWriteResult> join;
        volatile long chunks;
        volatile long bytes;
        volatile boolean dirty;

        Live(Ready ready, long session) {
            this.ready = ready;
            this.session = session;
        }
    }

    private final Database database;
    private final MulticastService multicast;
    private final Clock clock;
    private final Duration dropBound;
    /** Where senders are opened and members joined: off the caller's thread, as opening reads the image. */
    private final Executor starter;
    private final ScheduledExecutorService timer;
    /** Forming decisions one at a time, so two ready steps never both open a session. */
    private final Object forming = new Object();
    private final Map<Long, Live> live = new ConcurrentHashMap<>();
    private final Map<Long, MulticastSession> running = new ConcurrentHashMap<>();
    private volatile boolean recovered;

    @Activate
    public MulticastSessions(@Reference Database database, @Reference MulticastService multicast, Config config) {
        this(database, multicast, Clock.systemUTC(), Duration.ofSeconds(config.dropBoundSeconds()), null);
    }

    /**
     * @param starter runs the opening of senders; null for this component's own thread, which also checks every
     *            second whether a waiting session's Maximum Waiting Time passed
     */
    public MulticastSessions(Database database, MulticastService multicast, Clock clock, Duration dropBound,
            Executor starter) {
        this.database = database;
        this.multicast = multicast;
        this.clock = clock;
        this.dropBound = dropBound;
        try {
            ensureRecovered();
        } catch (StoreUnavailableException e) {
            LOG.info("Multicast sessions wait for the database to fail what a previous run left waiting or running");
        }
        if (starter == null) {
            this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "opendpm-multicast-forming");
                t.setDaemon(true);
                return t;
            });
            this.starter = timer;
            timer.scheduleWithFixedDelay(this::tickQuietly, 1, 1, TimeUnit.SECONDS);
        } else {
            this.timer = null;
            this.starter = starter;
        }
    }

    /**
     * Fails the sessions an earlier run of the server left waiting or running, once, before anything else touches
     * the sessions: nothing of their members' restores survived in this process.
     */
    private void ensureRecovered() {
        if (recovered) {
            return;
        }
        synchronized (forming) {
            if (recovered) {
                return;
            }
            int failed = database.inTransaction(c -> SessionTable.failUnfinished(c, RESTARTED, clock.instant()));
            if (failed > 0) {
                LOG.warn("{} multicast session(s) were waiting or running when the server stopped: failed", failed);
            }
            recovered = true;
        }
    }

    @Deactivate
    void deactivate() {
        if (timer != null) {
            timer.shutdownNow();
        }
        running.values().forEach(MulticastSession::close);
    }

    /**
     * Puts a ready machine into the waiting session of its execution's scenario and image. The stage completes when
     * the machine has every chunk; it fails with a {@link StepFailedException} naming the reason when the machine
     * is dropped or its session cannot start. Cancelling it takes the machine out of its session.
     */
    public CompletionStage<ImageWriteResult> ready(Ready ready) {
        ensureRecovered();
        Live member;
        synchronized (forming) {
            Instant now = clock.instant();
            long session = database.inTransaction(c -> {
                SessionTable.ScenarioOf scenario = SessionTable.scenarioOf(c, ready.executionId())
                        .orElseThrow(() -> new StepFailedException("execution " + ready.executionId() + " is gone"));
                long id = SessionTable.openWaiting(c, scenario.id(), ready.imageName()).orElse(-1L);
                if (id < 0) {
                    id = SessionTable.insertSession(c, scenario, ready.imageName(), ready.condition(), now);
                }
                SessionTable.insertMember(c, id, ready.executionId(), ready.machineId(), ready.machineName(),
                        ready.totalBytes(), now);
                return id;
            });
            member = new Live(ready, session);
            live.put(ready.executionId(), member);
        }
        member.result.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                cancelled(member);
            }
        });
        evaluate();
        return member.result;
    }

    /** Writes the members' latest figures and starts the waiting sessions whose condition holds now. */
    public void tick() {
        ensureRecovered();
        flushProgress();
        evaluate();
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("Multicast sessions could not be checked: {}", e.getMessage());
        }
    }

    /** Starts each waiting session whose condition holds and none of whose scenario and image runs. */
    void evaluate() {
        synchronized (forming) {
            Instant now = clock.instant();
            List<MulticastSessionInfo> open = database.inTransaction(c -> SessionTable.inStates(c, State.WAITING,
                    State.RUNNING));
            Set<String> busy = new HashSet<>();
            open.stream().filter(s -> s.state() == State.RUNNING).forEach(s -> busy.add(key(s)));
            for (MulticastSessionInfo s : open) {
                if (s.state() != State.WAITING) {
                    continue;
                }
                long ready = s.members().stream().filter(m -> m.state() == MemberState.WAITING).count();
                if (ready == 0) {
                    database.inTransaction(c -> {
                        SessionTable.endSession(c, s.id(), State.DONE, "Every member's execution was cancelled"
                                + " before the session started", now);
                        return null;
                    });
                    continue;
                }
                if (!busy.contains(key(s)) && conditionHolds(s, ready, now)) {
                    busy.add(key(s));
                    begin(s.id(), null);
                }
            }
        }
    }

    /** Maximum Targets reached, or Maximum Waiting Time passed since the first member became ready (IMG-3). */
    static boolean conditionHolds(MulticastSessionInfo s, long ready, Instant now) {
        boolean full = s.maximumTargets().isPresent() && ready >= s.maximumTargets().getAsInt();
        boolean waited = s.maximumWaiting().isPresent() && !now.isBefore(s.created().plus(s.maximumWaiting().get()));
        return full || waited;
    }

    private static String key(MulticastSessionInfo s) {
        return s.scenarioId() + "\u0000" + s.imageName();
    }

    @Override
    public List<MulticastSessionInfo> sessions() {
        ensureRecovered();
        return database.inTransaction(c -> SessionTable.latest(c, MAX_LISTED));
    }

    @Override
    public MulticastSessionInfo session(long id) {
        ensureRecovered();
        return database.inTransaction(c -> SessionTable.find(c, id))
                .orElseThrow(() -> new NotFoundException("No multicast session with id " + id));
    }

    /** Execute Now: starts the waiting session even while another of its scenario and image runs. */
    @Override
    public MulticastSessionInfo start(long id, String by) {
        Objects.requireNonNull(by, "by");
        synchronized (forming) {
            MulticastSessionInfo s = session(id);
            if (s.state() != State.WAITING) {
                throw new ConflictException("Multicast session " + id + " is " + s.state().name().toLowerCase()
                        + "; only a waiting session can be started");
            }
            LOG.info("{} started multicast session {} of scenario {} (image {})", by, id, s.scenarioName(),
                    s.imageName());
            begin(id, by);
        }
        return session(id);
    }

    /** Marks the session running and hands its start to the starter; under {@link #forming}. */
    private void begin(long id, String by) {
        Instant now = clock.instant();
        boolean began = database.inTransaction(c -> {
            if (!SessionTable.markRunning(c, id, by, now)) {
                return false;
            }
            SessionTable.setMembers(c, id, MemberState.WAITING, MemberState.RUNNING);
            return true;
        });
        if (began) {
            starter.execute(() -> open(id));
        }
    }

    /** Opens the sender and joins every member. */
    private void open(long id) {
        MulticastSessionInfo s = session(id);
        List<Live> members = s.members().stream().filter(m -> m.state() == MemberState.RUNNING)
                .map(m -> live.get(m.executionId())).filter(Objects::nonNull).toList();
        List<Long> orphans = s.members().stream()
                .filter(m -> m.state() == MemberState.RUNNING && !live.containsKey(m.executionId()))
                .map(MulticastSessionInfo.Member::executionId).toList();
        if (!orphans.isEmpty()) {
            database.inTransaction(c -> {
                for (long execution : orphans) {
                    SessionTable.endMember(c, id, execution, MemberState.FAILED, "its restore was no longer running");
                }
                return null;
            });
        }
        MulticastSession session;
        try {
            Path image = members.isEmpty() ? null : members.get(0).ready.image();
            if (image == null) {
                throw new IOException("none of its members' restores is running any more");
            }
            session = multicast.open(image, new MulticastOptions(dropBound));
        } catch (IOException | RuntimeException e) {
            String message = "Multicast session " + id + " of image " + s.imageName() + " could not start: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            LOG.warn(message);
            database.inTransaction(c -> {
                SessionTable.setMembers(c, id, MemberState.RUNNING, MemberState.FAILED);
                SessionTable.endSession(c, id, State.FAILED, message, clock.instant());
                return null;
            });
            members.forEach(m -> {
                live.remove(m.ready.executionId());
                m.result.completeExceptionally(new StepFailedException(message, e));
            });
            evaluate();
            return;
        }
        running.put(id, session);
        database.inTransaction(c -> {
            SessionTable.sender(c, id, session.id(), session.group().getHostString() + ":" + session.group().getPort());
            return null;
        });
        LOG.info("Multicast session {} of image {} started with {} member(s) on {}", id, s.imageName(),
                members.size(), session.group());
        for (Live m : members) {
            if (m.result.isDone()) {
                // Cancelled while the sender opened.
                memberEnded(m, null, new CancellationException());
                continue;
            }
            Ready r = m.ready;
            m.join = session.join(r.machineId(), r.disks(), r.compare(), (chunks, bytes) -> {
                m.chunks = chunks;
                m.bytes = bytes;
                m.dirty = true;
                r.progress().confirmed(chunks, bytes);
            }).toCompletableFuture();
            m.join.whenComplete((result, error) -> memberEnded(m, result, error));
            if (m.result.isCancelled()) {
                // Cancelled between the check above and the join: the member leaves its session now.
                m.join.cancel(true);
            }
        }
        // A member whose execution is gone (never here after a start) would otherwise hold the session open.
        endIfFinished(id);
    }

    private void memberEnded(Live m, ImageWriteResult result, Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        MemberState state;
        String reason;
        if (cause == null) {
            state = MemberState.DONE;
            reason = "";
        } else if (cause instanceof CancellationException || m.result.isCancelled()) {
            state = MemberState.CANCELLED;
            reason = "its execution was cancelled";
        } else if (cause instanceof MemberDroppedException) {
            state = MemberState.DROPPED;
            reason = String.valueOf(cause.getMessage());
        } else {
            state = MemberState.FAILED;
            reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        }
        long chunks = m.chunks;
        long bytes = m.bytes;
        database.inTransaction(c -> {
            SessionTable.progress(c, m.session, m.ready.executionId(), chunks, bytes);
            SessionTable.endMember(c, m.session, m.ready.executionId(), state, reason);
            return null;
        });
        live.remove(m.ready.executionId());
        if (state == MemberState.DONE) {
            m.result.complete(result);
        } else if (state == MemberState.DROPPED) {
            m.result.completeExceptionally(new StepFailedException("Machine " + m.ready.machineName()
                    + " was dropped from multicast session " + m.session + ": " + reason, cause));
        } else {
            m.result.completeExceptionally(cause);
        }
        endIfFinished(m.session);
    }

    /** Closes a running session none of whose members runs any more, and starts what waited for it. */
    private void endIfFinished(long id) {
        MulticastSession session = running.get(id);
        if (session == null) {
            return;
        }
        MulticastSessionInfo s = session(id);
        if (s.members().stream().anyMatch(m -> m.state() == MemberState.RUNNING)) {
            return;
        }
        if (running.remove(id, session)) {
            long rate = session.figures().rateBytesPerSecond();
            session.close();
            long done = s.members().stream().filter(m -> m.state() == MemberState.DONE).count();
            database.inTransaction(c -> {
                SessionTable.rate(c, id, rate);
                SessionTable.endSession(c, id, State.DONE, done + " of " + s.members().size() + " machines restored",
                        clock.instant());
                return null;
            });
            LOG.info("Multicast session {} of image {} ended: {} of {} machines restored", id, s.imageName(), done,
                    s.members().size());
            evaluate();
        }
    }

    /** A cancelled step's member leaves its session: at once while waiting, through its join while running. */
    private void cancelled(Live m) {
        CompletableFuture<ImageWriteResult> join = m.join;
        if (join != null) {
            join.cancel(true);
            return;
        }
        synchronized (forming) {
            boolean waiting = database.inTransaction(c -> SessionTable.endMember(c, m.session, m.ready.executionId(),
                    MemberState.CANCELLED, "its execution was cancelled"));
            if (waiting) {
                live.remove(m.ready.executionId());
            }
        }
        // Running but not joined yet: the start finds the stage done and ends the member.
    }

    private void flushProgress() {
        for (Live m : live.values()) {
            if (m.dirty) {
                m.dirty = false;
                long chunks = m.chunks;
                long bytes = m.bytes;
                database.inTransaction(c -> {
                    SessionTable.progress(c, m.session, m.ready.executionId(), chunks, bytes);
                    return null;
                });
            }
        }
        running.forEach((id, session) -> database.inTransaction(c -> {
            SessionTable.rate(c, id, session.figures().rateBytesPerSecond());
            return null;
        }));
    }
}
