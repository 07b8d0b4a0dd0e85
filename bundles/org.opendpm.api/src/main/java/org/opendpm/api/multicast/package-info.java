/**
 * Multicast restore sessions (IMG-3, docs/multicast.md): one sender per session on the server sends an image's
 * chunks to an IP multicast group; the agents of the session's machines, in their Deploy-OS, join over the agent
 * link, request what they lack and write it. The scheduler forms sessions (Maximum Targets, Maximum Waiting Time,
 * Execute Now) and calls {@link org.opendpm.api.multicast.MulticastService} to run them;
 * {@link org.opendpm.api.multicast.MulticastSessionService} shows the sessions and starts a waiting one (1.1).
 */
@Version("1.1.0")
@Export
package org.opendpm.api.multicast;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
