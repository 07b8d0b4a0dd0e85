package org.opendpm.spi;

import java.util.Objects;

/** A command the core sends to carry out a power operation. */
public sealed interface PowerCommand {

    /** Send a Wake-on-LAN magic packet for the MAC. */
    record WakeOnLan(String mac) implements PowerCommand {
        public WakeOnLan {
            Objects.requireNonNull(mac, "mac");
        }
    }

    /** Ask the machine's agent to shut down or reboot. */
    record AgentRequest(Action action) implements PowerCommand {
        public enum Action {
            SHUTDOWN, REBOOT
        }

        public AgentRequest {
            Objects.requireNonNull(action, "action");
        }
    }

    /** Record the operation as done without touching hardware (used by the fake power control in tests). */
    record Simulated(PowerOperation operation) implements PowerCommand {
        public Simulated {
            Objects.requireNonNull(operation, "operation");
        }
    }
}
