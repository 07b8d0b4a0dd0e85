package org.opendpm.api.inventory;

import java.util.Objects;
import java.util.Optional;

/**
 * One New Machine to register into a group.
 *
 * @param name the name to give it; empty takes the name the agent reported, else one made from the MAC
 *            ({@code 00-50-56-AA-BB-CC})
 */
public record NewMachineRegistration(long newMachineId, Optional<String> name) {

    public NewMachineRegistration {
        Objects.requireNonNull(name, "name");
    }
}
