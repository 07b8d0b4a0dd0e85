package org.opendpm.api.agent;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when an agent has authenticated and when its session ends. Registered as a service (whiteboard); called on
 * the link's own threads, so an implementation must return quickly and never block.
 */
@ConsumerType
public interface AgentListener {

    void connected(AgentInfo agent);

    /** @param reason why the session ended, for the log and the execution's error message */
    void disconnected(AgentInfo agent, String reason);
}
