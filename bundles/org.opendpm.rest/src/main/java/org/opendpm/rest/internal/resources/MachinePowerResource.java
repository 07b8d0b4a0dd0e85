package org.opendpm.rest.internal.resources;

import java.util.Locale;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.ValidationException;
import org.opendpm.api.power.PowerService;
import org.opendpm.api.power.PowerSettingsService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PowerAcceptedDto;
import org.opendpm.rest.internal.dto.PowerActionDto;
import org.opendpm.rest.internal.dto.PowerSettingsDto;
import org.opendpm.rest.internal.dto.PowerSettingsInputDto;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Powering a machine on, off or rebooting it (SCH-2, SCH-4), by operators; its power driver and driver info, read by
 * viewers (never a secret) and set by admins.
 */
@Component(service = MachinePowerResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/power")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
public class MachinePowerResource {

    /** The actions as REST and the shell write them. */
    public enum Action {
        ON, OFF, REBOOT;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws ValidationException naming {@code field} for anything but on, off and reboot (any case) */
        public static Action parse(String field, String text) {
            if (text == null || text.isBlank()) {
                throw new ValidationException(field, field + " is required: on, off or reboot");
            }
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(field, "Unknown power action '" + text + "'; actions are on, off and"
                        + " reboot");
            }
        }
    }

    /** Null while no power control is running: REST runs without it, and says so. */
    private final PowerService power;
    private final PowerSettingsService settings;

    @Activate
    public MachinePowerResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) PowerService power,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) PowerSettingsService settings) {
        this.power = power;
        this.settings = settings;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The machine's power driver: the one it names (driver, null for the automatic choice), the"
            + " one it uses (effectiveDriver) and why (choice: EXPLICIT, MODEL or DEFAULT), its driver info without"
            + " secrets (the names of stored secrets are in secretsSet) and the driver's info schema",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The settings", content = @Content(
                            schema = @Schema(implementation = PowerSettingsDto.class))),
                    @ApiResponse(responseCode = "400", description = "A bad machine id",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No such machine",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "503", description = "No power control is running",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public PowerSettingsDto settings(@PathParam("id") String id) {
        return PowerSettingsDto.of(settingsService().get(ScenarioParams.id("id", id)));
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Set the machine's power driver and driver info: {\"driver\":\"fake\",\"driverInfo\":"
            + "{\"bmcAddress\":\"192.0.2.10\",\"password\":\"...\"}}; driver null or left out for the automatic"
            + " choice. The info is checked against the driver's schema and by the driver. Secrets are write-only:"
            + " left out they keep their stored value while the driver stays, given as \"\" they are removed",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The settings as stored, without secrets",
                            content = @Content(schema = @Schema(implementation = PowerSettingsDto.class))),
                    @ApiResponse(responseCode = "400", description = "A driver that is not installed or driver info"
                            + " its driver refuses; the field is named (driver or driverInfo.<property>)",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No such machine",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "The driver failed to give or check its"
                            + " schema", content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "503", description = "No power control is running, or secrets"
                            + " cannot be stored with this server's key file",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public PowerSettingsDto setSettings(@PathParam("id") String id, PowerSettingsInputDto body,
            @Context SecurityContext security) {
        SettingsResource.required(body);
        long machineId = ScenarioParams.id("id", id);
        String who = security == null || security.getUserPrincipal() == null
                ? "rest"
                : security.getUserPrincipal().getName();
        return PowerSettingsDto.of(settingsService().set(machineId, body.toUpdate(), who));
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Power the machine on (Wake-on-LAN or its power plugin), off (shut down through its agent) or"
            + " reboot it: {\"action\":\"on\"|\"off\"|\"reboot\"}; answers once the command is sent",
            responses = {
                    @ApiResponse(responseCode = "202", description = "The command was sent; a machine powered on must"
                            + " connect its agent within the Remote Power ON Timeout (SCH-4)",
                            content = @Content(
                                    schema = @Schema(implementation = PowerAcceptedDto.class))),
                    @ApiResponse(responseCode = "400", description = "A bad action; the field is named",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No such machine",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "off or reboot: the machine has no connected"
                            + " agent", content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "503", description = "No power control is running",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response power(@PathParam("id") String id, PowerActionDto body) {
        SettingsResource.required(body);
        long machineId = ScenarioParams.id("id", id);
        Action action = Action.parse("action", body.action());
        PowerService service = service();
        switch (action) {
        case ON:
            service.powerOn(machineId);
            break;
        case OFF:
            service.shutdown(machineId);
            break;
        default:
            service.reboot(machineId);
            break;
        }
        return Response.accepted(new PowerAcceptedDto(machineId, action.word())).build();
    }

    private PowerSettingsService settingsService() {
        if (settings == null) {
            throw new ServiceUnavailableException("Power control is not running on this server (no"
                    + " PowerSettingsService)");
        }
        return settings;
    }

    private PowerService service() {
        if (power == null) {
            throw new ServiceUnavailableException("Power control is not running on this server (no PowerService)");
        }
        return power;
    }
}
