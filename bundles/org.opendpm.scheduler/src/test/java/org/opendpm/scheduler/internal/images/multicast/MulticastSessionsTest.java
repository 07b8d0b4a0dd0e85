package org.opendpm.scheduler.internal.images.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
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
import org.opendpm.api.multicast.SenderFigures;
import org.opendpm.spi.AgentHandle.Multicast;
import org.opendpm.spi.StepFailedException;
import org.opendpm.store.Database;

/**
 * IMG-3: forming multicast sessions by Maximum Targets, Maximum Waiting Time and Execute Now, standby for the next
 * session, drops, cancels and a restart, against the real Derby store with a test double of the multicast sender.
 */
public class MulticastSessionsTest {

    private static final Path IMAGE = Path.of("/images/base.img");
    private static final long SCENARIO = 7;

    private final MovableClock clock = new MovableClock();
    private final FakeMulticast sender = new FakeMulticast();
    private Database database;
    private MulticastSessions sessions;

    @Before
    public void setUp() {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:multicast-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        sessions = new MulticastSessions(database, sender, clock, Duration.ofSeconds(60), Runnable::run);
    }

    private static Multicast condition(Integer targets, Duration waiting) {
        return new Multicast(targets == null ? OptionalInt.empty() : OptionalInt.of(targets),
                Optional.ofNullable(waiting));
    }

    /** An execution of the scenario on machine {@code n}, then its restore step ready. */
    private CompletableFuture<ImageWriteResult> ready(long n, Multicast condition) {
        return ready(n, SCENARIO, condition, (c, b) -> {
        });
    }

    private CompletableFuture<ImageWriteResult> ready(long n, long scenario, Multicast condition,
            MemberProgress progress) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO execution (id, machine_id, machine_name,"
                    + " scenario_id, scenario_name, state, step, steps, step_name, requested_by, queued_at, message)"
                    + " VALUES (?, ?, ?, ?, ?, 'RUNNING', 1, 1, 'Restore by multicast', 'admin', ?, '')")) {
                ps.setLong(1, 100 + n);
                ps.setLong(2, n);
                ps.setString(3, "pc" + n);
                ps.setLong(4, scenario);
                ps.setString(5, "Restore " + scenario);
                ps.setTimestamp(6, Timestamp.from(clock.instant()));
                ps.executeUpdate();
            }
            return null;
        });
        return sessions.ready(new MulticastSessions.Ready(100 + n, n, "pc" + n, "base.img", IMAGE,
                List.of(new ImageDisk(1, 1 << 20, 512)), true, 1 << 20, condition, progress)).toCompletableFuture();
    }

    private MulticastSessionInfo only(State state) {
        List<MulticastSessionInfo> in = sessions.sessions().stream().filter(s -> s.state() == state).toList();
        assertThat(in).hasSize(1);
        return in.get(0);
    }

    private static List<Long> machines(MulticastSessionInfo s) {
        return s.members().stream().map(MulticastSessionInfo.Member::machineId).toList();
    }

    @Test
    public void img3MaximumTargetsFourWithSixReadyStartsFourAndTheTwoInStandbyStartWithTheNextSession() {
        Multicast four = condition(4, null);
        List<CompletableFuture<ImageWriteResult>> steps = new ArrayList<>();
        for (long n = 1; n <= 3; n++) {
            steps.add(ready(n, four));
        }
        assertThat(sender.opened).isEmpty();
        assertThat(only(State.WAITING).members()).hasSize(3);

        steps.add(ready(4, four));
        assertThat(sender.opened).hasSize(1);
        FakeSession first = sender.opened.get(0);
        assertThat(first.joined.keySet()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        MulticastSessionInfo running = only(State.RUNNING);
        assertThat(machines(running)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(running.group()).contains("239.255.26.1:26530");
        assertThat(running.members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.RUNNING));

        steps.add(ready(5, four));
        steps.add(ready(6, four));
        // Standby: a new session formed; it does not start while the first runs, even once it is full.
        assertThat(machines(only(State.WAITING))).containsExactly(5L, 6L);
        steps.add(ready(7, four));
        steps.add(ready(8, four));
        sessions.tick();
        assertThat(sender.opened).hasSize(1);
        assertThat(machines(only(State.WAITING))).containsExactly(5L, 6L, 7L, 8L);

        for (long n = 1; n <= 4; n++) {
            first.finish(n);
        }
        assertThat(steps.subList(0, 4)).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(first.closed).isTrue();
        MulticastSessionInfo done = sessions.session(running.id());
        assertThat(done.state()).isEqualTo(State.DONE);
        assertThat(done.message()).isEqualTo("4 of 4 machines restored");
        assertThat(done.rateBytesPerSecond()).isEqualTo(5_000_000);
        // Checked again when the running session completed: the standby session is full, so it starts.
        assertThat(sender.opened).hasSize(2);
        assertThat(sender.opened.get(1).joined.keySet()).containsExactlyInAnyOrder(5L, 6L, 7L, 8L);
    }

    @Test
    public void img3StandbyMembersBelowTheTargetsWaitAfterTheRunningSessionEndsUntilExecuteNow() {
        Multicast four = condition(4, null);
        for (long n = 1; n <= 6; n++) {
            ready(n, four);
        }
        FakeSession first = sender.opened.get(0);
        for (long n = 1; n <= 4; n++) {
            first.finish(n);
        }
        MulticastSessionInfo standby = only(State.WAITING);
        assertThat(machines(standby)).containsExactly(5L, 6L);
        assertThat(sender.opened).hasSize(1);

        MulticastSessionInfo started = sessions.start(standby.id(), "admin");
        assertThat(started.state()).isEqualTo(State.RUNNING);
        assertThat(started.startedBy()).contains("admin");
        assertThat(sender.opened).hasSize(2);
        assertThat(sender.opened.get(1).joined.keySet()).containsExactlyInAnyOrder(5L, 6L);
    }

    @Test
    public void img3MaximumWaitingTimeFiveSecondsWithTwoOfFourReadyStartsAfterFiveSecondsWithTwo() {
        Multicast fiveSeconds = condition(4, Duration.ofSeconds(5));
        ready(1, fiveSeconds);
        clock.advance(Duration.ofSeconds(2));
        ready(2, fiveSeconds);
        clock.advance(Duration.ofMillis(2999));
        sessions.tick();
        assertThat(sender.opened).isEmpty();
        assertThat(only(State.WAITING).members()).hasSize(2);

        clock.advance(Duration.ofMillis(1));
        sessions.tick();
        assertThat(sender.opened).hasSize(1);
        assertThat(sender.opened.get(0).joined.keySet()).containsExactlyInAnyOrder(1L, 2L);
        assertThat(only(State.RUNNING).started()).contains(clock.instant());
        assertThat(sender.opened.get(0).options.dropBound()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    public void img3WithNeitherLimitNothingStartsUntilExecuteNow() {
        Multicast neither = condition(null, null);
        for (long n = 1; n <= 5; n++) {
            ready(n, neither);
        }
        clock.advance(Duration.ofDays(2));
        sessions.tick();
        assertThat(sender.opened).isEmpty();
        MulticastSessionInfo waiting = only(State.WAITING);
        assertThat(waiting.members()).hasSize(5);

        sessions.start(waiting.id(), "admin");
        assertThat(sender.opened).hasSize(1);
        assertThat(sender.opened.get(0).joined).hasSize(5);
        // A running session is not started again, and an unknown one is not found.
        assertThatThrownBy(() -> sessions.start(waiting.id(), "admin")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("is running");
        assertThatThrownBy(() -> sessions.start(999, "admin")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sessions.session(999)).isInstanceOf(NotFoundException.class);
    }

    @Test
    public void img3SessionsAreFormedPerScenarioAndImage() {
        ready(1, SCENARIO, condition(2, null), (c, b) -> {
        });
        ready(2, SCENARIO + 1, condition(2, null), (c, b) -> {
        });
        assertThat(sender.opened).isEmpty();
        assertThat(sessions.sessions()).hasSize(2).allSatisfy(s -> assertThat(s.members()).hasSize(1));
    }

    @Test
    public void progressFeedsTheStepAndTheDatabaseAndADroppedMemberFailsWithItsReason() throws Exception {
        List<long[]> heard = new CopyOnWriteArrayList<>();
        CompletableFuture<ImageWriteResult> a = ready(1, SCENARIO, condition(2, null),
                (c, b) -> heard.add(new long[]{ c, b }));
        CompletableFuture<ImageWriteResult> b = ready(2, condition(2, null));
        FakeSession s = sender.opened.get(0);
        s.progress.get(1L).confirmed(3, 12_582_912);
        assertThat(heard).singleElement().satisfies(x -> assertThat(x).containsExactly(3, 12_582_912));
        sessions.tick();
        MulticastSessionInfo running = only(State.RUNNING);
        assertThat(running.members().get(0).confirmedBytes()).isEqualTo(12_582_912);
        assertThat(running.members().get(0).totalBytes()).isEqualTo(1 << 20);

        s.joined.get(2L).completeExceptionally(new MemberDroppedException("no chunk confirmed for 60 s (3 of 16"
                + " chunks written)"));
        assertThatThrownBy(() -> b.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StepFailedException.class)
                .hasMessageContaining("Machine pc2 was dropped from multicast session")
                .hasMessageContaining("no chunk confirmed for 60 s");
        assertThat(s.closed).isFalse();
        s.finish(1);
        assertThat(a.get(5, TimeUnit.SECONDS).chunks()).isEqualTo(16);
        MulticastSessionInfo done = sessions.session(running.id());
        assertThat(done.state()).isEqualTo(State.DONE);
        assertThat(done.message()).isEqualTo("1 of 2 machines restored");
        assertThat(done.members()).extracting(MulticastSessionInfo.Member::state).containsExactly(MemberState.DONE,
                MemberState.DROPPED);
        assertThat(done.members().get(1).reason()).contains("no chunk confirmed for 60 s");
    }

    @Test
    public void cancellingAnExecutionCancelsItsMemberWaitingOrRunning() {
        CompletableFuture<ImageWriteResult> a = ready(1, condition(null, null));
        CompletableFuture<ImageWriteResult> b = ready(2, condition(null, null));
        a.cancel(true);
        MulticastSessionInfo waiting = only(State.WAITING);
        assertThat(waiting.members()).extracting(MulticastSessionInfo.Member::state)
                .containsExactly(MemberState.CANCELLED, MemberState.WAITING);

        sessions.start(waiting.id(), "admin");
        FakeSession s = sender.opened.get(0);
        assertThat(s.joined.keySet()).containsExactly(2L);
        b.cancel(true);
        assertThat(s.joined.get(2L)).isCancelled();
        MulticastSessionInfo ended = sessions.session(waiting.id());
        assertThat(ended.state()).isEqualTo(State.DONE);
        assertThat(ended.members()).extracting(MulticastSessionInfo.Member::state)
                .containsExactly(MemberState.CANCELLED, MemberState.CANCELLED);
        assertThat(s.closed).isTrue();
    }

    @Test
    public void aSessionWhoseSenderCannotOpenFailsItsMembersWithTheReason() {
        sender.failure = new IOException("no group address is free");
        CompletableFuture<ImageWriteResult> a = ready(1, condition(1, null));
        assertThat(a).isCompletedExceptionally();
        assertThatThrownBy(a::join).hasCauseInstanceOf(StepFailedException.class)
                .hasMessageContaining("could not start: no group address is free");
        MulticastSessionInfo failed = only(State.FAILED);
        assertThat(failed.message()).contains("no group address is free");
        assertThat(failed.members().get(0).state()).isEqualTo(MemberState.FAILED);
    }

    @Test
    public void afterARestartWaitingAndRunningSessionsAreFailedWithAClearReason() {
        ready(1, condition(1, null));
        ready(2, SCENARIO + 1, condition(null, null), (c, b) -> {
        });
        new MulticastSessions(database, sender, clock, Duration.ofSeconds(60), Runnable::run);
        List<MulticastSessionInfo> all = sessions.sessions();
        assertThat(all).hasSize(2).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(State.FAILED);
            assertThat(s.message()).contains("The server stopped while this session was waiting or running");
            assertThat(s.ended()).isPresent();
            assertThat(s.members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.FAILED));
        });
    }

    /** The sender's test double: opens sessions whose joins complete or fail as the test says. */
    static final class FakeMulticast implements MulticastService {
        final List<FakeSession> opened = new CopyOnWriteArrayList<>();
        volatile IOException failure;

        @Override
        public MulticastSession open(Path image, MulticastOptions options) throws IOException {
            if (failure != null) {
                throw failure;
            }
            assertThat(image).isEqualTo(IMAGE);
            FakeSession s = new FakeSession(opened.size() + 1, options);
            opened.add(s);
            return s;
        }
    }

    static final class FakeSession implements MulticastSession {
        final long id;
        final MulticastOptions options;
        final Map<Long, CompletableFuture<ImageWriteResult>> joined = new ConcurrentHashMap<>();
        final Map<Long, MemberProgress> progress = new ConcurrentHashMap<>();
        volatile boolean closed;

        FakeSession(long id, MulticastOptions options) {
            this.id = id;
            this.options = options;
        }

        void finish(long machine) {
            joined.get(machine).complete(new ImageWriteResult(16, 1 << 20, true, List.of()));
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public InetSocketAddress group() {
            return InetSocketAddress.createUnresolved("239.255.26." + id, 26530);
        }

        @Override
        public CompletionStage<ImageWriteResult> join(long machineId, List<ImageDisk> disks, boolean compare,
                MemberProgress p) {
            assertThat(disks).containsExactly(new ImageDisk(1, 1 << 20, 512));
            assertThat(compare).isTrue();
            CompletableFuture<ImageWriteResult> f = new CompletableFuture<>();
            joined.put(machineId, f);
            progress.put(machineId, p);
            return f;
        }

        @Override
        public SenderFigures figures() {
            return new SenderFigures(5_000_000, 0, 0, 0);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T10:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new AssertionError("not used by this test");
        }
    }
}
