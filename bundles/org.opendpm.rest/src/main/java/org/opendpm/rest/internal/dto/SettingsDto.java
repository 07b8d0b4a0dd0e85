package org.opendpm.rest.internal.dto;

import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettings;

/**
 * The server settings as sent and received. Fields are boxed so that a missing one is told apart from a zero: in a
 * PUT every field is required, in a PATCH a missing field keeps its value.
 */
public record SettingsDto(Boolean useDhcpServer, String imageFolder, Boolean checkCompletionByAgent,
        Integer machinesForSimultaneousExecution, Integer remotePowerOnTimeoutMinutes, Integer scenarioTimeoutMinutes,
        String defaultDeployOs) {

    public static SettingsDto of(ServerSettings s) {
        return new SettingsDto(s.useDhcpServer(), s.imageFolder(), s.checkCompletionByAgent(),
                s.machinesForSimultaneousExecution(), s.remotePowerOnTimeoutMinutes(), s.scenarioTimeoutMinutes(),
                s.defaultDeployOs());
    }

    /** All fields required. */
    public ServerSettings toSettings() {
        return new ServerSettings(required("useDhcpServer", useDhcpServer), required("imageFolder", imageFolder),
                required("checkCompletionByAgent", checkCompletionByAgent),
                required("machinesForSimultaneousExecution", machinesForSimultaneousExecution),
                required("remotePowerOnTimeoutMinutes", remotePowerOnTimeoutMinutes),
                required("scenarioTimeoutMinutes", scenarioTimeoutMinutes),
                required("defaultDeployOs", defaultDeployOs));
    }

    /** Missing fields keep the current value. */
    public ServerSettings mergeInto(ServerSettings s) {
        return new ServerSettings(or(useDhcpServer, s.useDhcpServer()), or(imageFolder, s.imageFolder()),
                or(checkCompletionByAgent, s.checkCompletionByAgent()),
                or(machinesForSimultaneousExecution, s.machinesForSimultaneousExecution()),
                or(remotePowerOnTimeoutMinutes, s.remotePowerOnTimeoutMinutes()),
                or(scenarioTimeoutMinutes, s.scenarioTimeoutMinutes()), or(defaultDeployOs, s.defaultDeployOs()));
    }

    private static <T> T required(String field, T value) {
        if (value == null) {
            throw new ValidationException(field, "'" + field + "' is required");
        }
        return value;
    }

    private static <T> T or(T value, T current) {
        return value == null ? current : value;
    }
}
