package org.opendpm.api.boot;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The server's ports (NET-5) for the image transfer and agent code. {@code Port.ini} is read again when it changed,
 * so callers ask each time they open a listener or tell a machine where to connect, rather than keeping a copy.
 */
@ProviderType
public interface ServerPortsService {

    ServerPorts ports();
}
