package org.opendpm.transfer.internal;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The first frame of a connection, {@code register} or {@code hello}, with its members checked.
 *
 * @param mac canonical
 * @param credential for {@code hello}; for {@code register} the credential the agent proposes, if it does
 */
record Greeting(String type, String mac, Optional<String> credential, Optional<String> uuid, Optional<String> ip,
        Optional<String> hostName, String os, String agentVersion, boolean deployOs) {

    static Greeting read(ObjectNode m) throws ProtocolException {
        String type = Messages.type(m);
        String macText = Messages.string(m, "mac");
        String mac;
        try {
            mac = Macs.canonical(macText);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(LinkStats.Kind.BAD_MEMBER, "'" + type + "' member 'mac': " + e.getMessage());
        }
        Optional<String> credential;
        if (type.equals("hello")) {
            credential = Optional.of(Messages.string(m, "credential"));
        } else {
            // A register may propose the credential, so that a retry after a lost answer proposes it again.
            credential = Messages.optionalString(m, "credential");
            if (credential.isPresent() && !CredentialStore.wellFormed(credential.get())) {
                throw new ProtocolException(LinkStats.Kind.BAD_MEMBER, "'register' member 'credential' is not 43 to "
                        + "512 characters of base64url");
            }
        }
        JsonNode macs = m.get("macs");
        if (macs != null && !macs.isNull() && !macs.isArray()) {
            throw new ProtocolException(LinkStats.Kind.BAD_MEMBER, "'" + type + "' member 'macs' is not an array");
        }
        return new Greeting(type, mac, credential, Messages.optionalString(m, "uuid").filter(s -> !s.isBlank()),
                Messages.optionalString(m, "ip").filter(s -> !s.isBlank()),
                Messages.optionalString(m, "hostName").map(String::strip).filter(s -> !s.isEmpty()),
                Messages.optionalString(m, "os").orElse(""), Messages.optionalString(m, "agentVersion").orElse(""),
                Messages.optionalBoolean(m, "deployOs"));
    }
}
