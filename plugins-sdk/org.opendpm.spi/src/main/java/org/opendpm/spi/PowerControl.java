package org.opendpm.spi;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Power control of managed machines.
 *
 * <p>Registered with the property {@value #PROPERTY} set to its key ({@code wol}, {@code ipmi}, {@code redfish}
 * ...). A plugin returns the commands that carry out an operation; the core sends them.
 */
@ConsumerType
public interface PowerControl {

    /** Service property naming the power control key. */
    String PROPERTY = "opendpm.power";

    /** The commands that carry out the operation on the target, in order. */
    List<PowerCommand> plan(PowerOperation operation, PowerTarget target);
}
