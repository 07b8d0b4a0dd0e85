package org.opendpm.plugin.power.fake.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.spi.PowerContext;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.PowerTarget;
import org.opendpm.spi.SettingViolation;
import org.osgi.service.component.annotations.Component;

/**
 * The power driver {@code fake}: a simulated BMC for tests and demonstrations, shipped as an ordinary plugin (Ironic's
 * idea). Each machine is a small state machine, off until powered on; the state is the simulated hardware's own, so
 * it lives in this object as a real BMC's lives in the BMC. Driver info: {@code bmcAddress} and {@code password} (a
 * secret).
 */
@Component(property = PowerDriver.PROPERTY + "=fake")
public class FakePowerDriver implements PowerDriver {

    private final Map<String, PowerState> machines = new ConcurrentHashMap<>();

    @Override
    public String driverInfoSchema() {
        return "{\"type\":\"object\",\"additionalProperties\":false,"
                + "\"properties\":{\"bmcAddress\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":255},"
                + "\"password\":{\"type\":\"string\",\"writeOnly\":true,\"maxLength\":255}}}";
    }

    @Override
    public List<SettingViolation> validate(Map<String, String> driverInfo) {
        List<SettingViolation> out = new ArrayList<>();
        for (String key : driverInfo.keySet()) {
            if (!key.equals("bmcAddress") && !key.equals("password")) {
                out.add(new SettingViolation(key, "unknown driver info of the fake power driver"));
            }
        }
        return out;
    }

    @Override
    public PowerState state(PowerTarget target, PowerContext context) {
        return machines.getOrDefault(target.primaryMac(), PowerState.OFF);
    }

    @Override
    public void set(PowerTarget target, PowerOperation operation, PowerContext context) {
        machines.put(target.primaryMac(), operation == PowerOperation.OFF ? PowerState.OFF : PowerState.ON);
    }
}
