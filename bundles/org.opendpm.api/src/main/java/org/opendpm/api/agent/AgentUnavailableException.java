package org.opendpm.api.agent;

import org.opendpm.api.OpenDpmException;

/** The machine has no connected agent, or its connection was lost before the agent answered. */
public class AgentUnavailableException extends OpenDpmException {
    private static final long serialVersionUID = 1L;

    public AgentUnavailableException(String message) {
        super(message);
    }
}
