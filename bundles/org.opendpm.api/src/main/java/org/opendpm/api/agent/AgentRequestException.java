package org.opendpm.api.agent;

import org.opendpm.api.OpenDpmException;

/** The agent carried out the request and reports that it failed (file not found, permission denied ...). */
public class AgentRequestException extends OpenDpmException {
    private static final long serialVersionUID = 1L;

    public AgentRequestException(String message) {
        super(message);
    }
}
