package org.opendpm.rest.internal.resources;

import org.opendpm.api.ValidationException;
import org.opendpm.api.scenario.ScenarioGroup;
import org.opendpm.api.scenario.ScenarioService;

/** Request pieces shared by the scenario resources, each refused with the field named. */
final class ScenarioParams {

    private ScenarioParams() {
    }

    static long id(String field, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new ValidationException(field, field + " must be an id (a whole number), not '" + value + "'");
        }
    }

    /** The scenario group a body or query names by id or path; an unknown one is bad input naming the field. */
    static ScenarioGroup group(ScenarioService scenarios, Long id, String path, String idField, String pathField) {
        if (id != null && path != null) {
            throw new ValidationException(pathField, "Give " + idField + " or " + pathField + ", not both");
        }
        if (id != null) {
            try {
                return scenarios.group(id);
            } catch (org.opendpm.api.NotFoundException e) {
                throw new ValidationException(idField, e.getMessage());
            }
        }
        if (path != null) {
            return scenarios.findGroup(path).orElseThrow(() -> new ValidationException(pathField,
                    "No scenario group " + path.strip()));
        }
        throw new ValidationException(idField, idField + " or " + pathField + " is required");
    }
}
