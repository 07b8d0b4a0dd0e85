package org.opendpm.transfer.internal;

import java.util.Optional;

import org.opendpm.agent.protocol.Message;

/**
 * The first frame of a connection, {@code register} or {@code hello}, as the server uses it: the MAC canonical,
 * blank members absent.
 *
 * @param credential for {@code hello}; for {@code register} the credential the agent proposes, if it does
 * @param token for the {@code hello} of a Deploy-OS agent: its one-time token
 * @param resumeKey for the {@code hello} of a Deploy-OS agent coming back after a lost connection, instead of a token
 * @param startId for {@code hello}: drawn once per start of the agent's process, if the agent sends one
 */
record Greeting(String type, String mac, Optional<String> credential, Optional<String> token, Optional<String> uuid,
        Optional<String> ip, Optional<String> hostName, String os, String agentVersion, boolean deployOs,
        Optional<String> resumeKey, Optional<String> startId) {

    static Greeting of(Message.Register r) throws LinkViolation {
        if (r.credential().isPresent() && !CredentialStore.wellFormed(r.credential().get())) {
            // A register may propose the credential, so that a retry after a lost answer proposes it again.
            throw new LinkViolation(LinkStats.Kind.BAD_MEMBER, "'register' member 'credential' is not 43 to 512 "
                    + "characters of base64url");
        }
        return new Greeting("register", canonical("register", r.mac()), r.credential(), Optional.empty(),
                blank(r.uuid()), blank(r.ip()), r.hostName().map(String::strip).filter(s -> !s.isEmpty()), r.os(),
                r.agentVersion(), r.deployOs(), Optional.empty(), Optional.empty());
    }

    static Greeting of(Message.Hello h) throws LinkViolation {
        return new Greeting("hello", canonical("hello", h.mac()), h.credential(), h.token(), blank(h.uuid()),
                blank(h.ip()), h.hostName().map(String::strip).filter(s -> !s.isEmpty()), h.os(), h.agentVersion(),
                h.deployOs(), h.resumeKey(), h.startId());
    }

    private static String canonical(String type, String mac) throws LinkViolation {
        try {
            return Macs.canonical(mac);
        } catch (IllegalArgumentException e) {
            throw new LinkViolation(LinkStats.Kind.BAD_MEMBER, "'" + type + "' member 'mac': " + e.getMessage());
        }
    }

    private static Optional<String> blank(Optional<String> s) {
        return s.filter(v -> !v.isBlank());
    }
}
