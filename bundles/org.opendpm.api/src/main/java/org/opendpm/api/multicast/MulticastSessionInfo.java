package org.opendpm.api.multicast;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One multicast restore session as the scheduler keeps it.
 *
 * @param id the session's number in the server's lists
 * @param scenarioId the scenario whose restore steps formed it
 * @param scenarioName its name when the session formed
 * @param imageName the image restored
 * @param state where it is
 * @param maximumTargets the scenario's Maximum Targets, empty when not set
 * @param maximumWaiting the scenario's Maximum Waiting Time, empty when not set
 * @param group the multicast group address and port while and after it runs
 * @param created when its first member became ready
 * @param started when it started
 * @param ended when it ended
 * @param rateBytesPerSecond the sender's last rate, 0 before it runs
 * @param startedBy who started it by Execute Now, empty when its condition did
 * @param message why it failed, empty otherwise
 * @param members its members in the order they became ready
 */
public record MulticastSessionInfo(long id, long scenarioId, String scenarioName, String imageName, State state,
        OptionalInt maximumTargets, Optional<Duration> maximumWaiting, Optional<String> group, Instant created,
        Optional<Instant> started, Optional<Instant> ended, long rateBytesPerSecond, Optional<String> startedBy,
        String message, List<Member> members) {

    public MulticastSessionInfo {
        Objects.requireNonNull(state, "state");
        members = List.copyOf(members);
    }

    /** A session's state. */
    public enum State {
        /** Forming: its members are ready and wait for its condition or Execute Now. */
        WAITING,
        /** The sender runs and its members receive. */
        RUNNING,
        /** Every member ended (done, dropped or failed: see each). */
        DONE,
        /** It could not run, or the server stopped while it waited or ran. */
        FAILED
    }

    /** A member's state. */
    public enum MemberState {
        /** Ready in a waiting session. */
        WAITING,
        /** Receiving. */
        RUNNING,
        /** Every chunk written (and compared when asked). */
        DONE,
        /** Dropped for staying behind; its reason says why. */
        DROPPED,
        /** Its agent or disk failed; its reason says why. */
        FAILED,
        /** Its execution was cancelled. */
        CANCELLED
    }

    /**
     * One machine in a session.
     *
     * @param executionId the execution whose restore step it is
     * @param confirmedChunks chunks confirmed written and flushed
     * @param confirmedBytes their uncompressed bytes
     * @param totalBytes the image's disk bytes
     * @param reason why it was dropped or failed, empty otherwise
     */
    public record Member(long executionId, long machineId, String machineName, MemberState state, Instant readyAt,
            long confirmedChunks, long confirmedBytes, long totalBytes, String reason) {
        public Member {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
