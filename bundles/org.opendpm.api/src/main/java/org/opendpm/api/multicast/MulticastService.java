package org.opendpm.api.multicast;

import java.io.IOException;
import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/** Runs multicast restore sessions: the sender on the server and the members' agents over the agent link. */
@ProviderType
public interface MulticastService {

    /**
     * Opens a session: takes a group address from the pool, opens the image and starts its sender. Members are
     * added with {@link MulticastSession#join}; the session ends when it is closed.
     *
     * @param image a complete image of the image folder (the caller keeps it from being deleted meanwhile)
     * @throws IOException when the image cannot be read or no group address or socket is free
     */
    MulticastSession open(Path image, MulticastOptions options) throws IOException;
}
