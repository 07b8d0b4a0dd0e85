package org.opendpm.api.multicast;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteResult;
import org.osgi.annotation.versioning.ProviderType;

/** One running multicast session. */
@ProviderType
public interface MulticastSession extends AutoCloseable {

    /** The session id every packet carries: random, 1 to 2^63 - 1, never reused by this server. */
    long id();

    /** The group address and port its packets go to. */
    InetSocketAddress group();

    /**
     * Adds a machine whose agent runs in its Deploy-OS: sends it the join and the image's index over the agent link
     * and completes when the member has every chunk written, flushed and (with {@code compare}) compared. A member
     * whose agent reboots or whose link is lost for less than the drop bound is sent the join again with the chunks
     * it confirmed, and fetches only the rest.
     *
     * <p>Fails with {@link MemberDroppedException} when the member stays behind beyond the drop bound, with
     * {@link org.opendpm.api.agent.AgentRequestException} when the agent answers with an error (a bad disk, a
     * mismatch), with {@link org.opendpm.api.agent.AgentUnavailableException} when it has no agent. Cancelling the
     * stage stops the member: its agent leaves the group and closes the disks.
     *
     * @param disks the machine's disks the image's disks go to, in the image's order, each at least as large
     */
    CompletionStage<ImageWriteResult> join(long machineId, List<ImageDisk> disks, boolean compare,
            MemberProgress progress);

    /** The sender's figures now. */
    SenderFigures figures();

    /** Ends the session: stops the sender and cancels the members still in it. */
    @Override
    void close();
}
