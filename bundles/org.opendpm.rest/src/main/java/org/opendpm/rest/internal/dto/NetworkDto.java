package org.opendpm.rest.internal.dto;

import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.NetworkSetting;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A group's network setting: {@code {"sameSubnet": true}} or {@code {"sameSubnet": false, "defaultGateway":
 * "192.168.1.1", "subnetMask": "255.255.0.0"}}. Without {@code sameSubnet}, giving a gateway and mask means a
 * different subnet.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkDto(Boolean sameSubnet, String defaultGateway, String subnetMask) {

    public static NetworkDto of(NetworkSetting n) {
        return new NetworkDto(n.sameSubnet(), n.defaultGateway(), n.subnetMask());
    }

    public NetworkSetting toSetting(String field) {
        boolean same = sameSubnet != null ? sameSubnet : defaultGateway == null && subnetMask == null;
        if (same) {
            if (defaultGateway != null || subnetMask != null) {
                throw new ValidationException(field + "." + (defaultGateway != null ? "defaultGateway" : "subnetMask"),
                        "A group on the server's subnet has no default gateway or subnet mask");
            }
            return NetworkSetting.SAME_SUBNET;
        }
        if (defaultGateway == null) {
            throw new ValidationException(field + ".defaultGateway", "A different subnet needs a default gateway");
        }
        if (subnetMask == null) {
            throw new ValidationException(field + ".subnetMask", "A different subnet needs a subnet mask");
        }
        return NetworkSetting.differentSubnet(defaultGateway, subnetMask);
    }
}
