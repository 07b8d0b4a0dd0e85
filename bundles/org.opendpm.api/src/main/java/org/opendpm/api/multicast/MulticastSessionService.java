package org.opendpm.api.multicast;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The multicast restore sessions the scheduler formed (IMG-3): the Backup/Restore Execution List's view of them and
 * its Execute Now. Sessions are kept in the database; a session that was waiting or running when the server stopped
 * is failed when it starts again.
 *
 * <p>Errors: unknown ids {@link org.opendpm.api.NotFoundException}; starting a session that is not waiting
 * {@link org.opendpm.api.ConflictException}; no database {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface MulticastSessionService {

    /** The most sessions {@link #sessions()} lists. */
    int MAX_LISTED = 500;

    /** Waiting and running sessions, then the latest ended ones, newest first, at most {@value #MAX_LISTED}. */
    List<MulticastSessionInfo> sessions();

    MulticastSessionInfo session(long id);

    /**
     * Execute Now: starts a waiting session with the members ready in it, whatever its condition says.
     *
     * @param by the user, for the log
     * @return the session as it is after the start was asked (running, or failed when it could not start)
     */
    MulticastSessionInfo start(long id, String by);
}
