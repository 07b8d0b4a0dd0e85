package org.opendpm.rest.internal.resources;

import java.util.Arrays;
import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.ValidationException;
import org.opendpm.api.os.AnswerFileService;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.os.OsType;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.AnswerFileDto;
import org.opendpm.rest.internal.dto.AnswerFilesRequestDto;
import org.opendpm.rest.internal.dto.OperatingSystemDto;
import org.opendpm.rest.internal.dto.OperatingSystemInputDto;
import org.opendpm.rest.internal.dto.OsTypeDto;
import org.opendpm.rest.internal.dto.PasswordDto;
import org.opendpm.rest.internal.dto.PasswordHashDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Registered operating systems (OSI-1) and their answer files (OSI-2): read by viewers, changed by admins. Both
 * services come with the OS installation plugin; without it this answers 503 saying so.
 */
@Component(service = OperatingSystemResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("operating-systems")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "operating-systems")
public class OperatingSystemResource {

    private final OperatingSystemService systems;
    private final AnswerFileService answers;

    @Activate
    public OperatingSystemResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) OperatingSystemService systems,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) AnswerFileService answers) {
        this.systems = systems;
        this.answers = answers;
    }

    private OperatingSystemService systems() {
        if (systems == null) {
            throw new ServiceUnavailableException("OS installation is not installed"
                    + " (feature opendpm-plugin-scenario-oslinux)");
        }
        return systems;
    }

    private AnswerFileService answers() {
        if (answers == null) {
            throw new ServiceUnavailableException("OS installation is not installed"
                    + " (feature opendpm-plugin-scenario-oslinux)");
        }
        return answers;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every registered operating system, by name")
    public List<OperatingSystemDto> list() {
        return systems().list().stream().map(OperatingSystemDto::of).toList();
    }

    @GET
    @Path("types")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The operating system types, their answer formats and template files")
    public List<OsTypeDto> types() {
        return Arrays.stream(OsType.values()).map(OsTypeDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One operating system")
    public OperatingSystemDto get(@PathParam("id") String id) {
        return OperatingSystemDto.of(systems().get(InventoryParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Register an operating system: name (at most 126 letters, digits and ( ) - .; not Linux,"
            + " Linux(gPXE), ks, daemon, pxelinux.*), type, kernel and initrd below the boot root, source below the"
            + " image folder's exports; 400 names the field of each broken rule, 409 a name in use")
    public Response create(OperatingSystemInputDto body) {
        SettingsResource.required(body);
        return Response.status(201).entity(OperatingSystemDto.of(systems().create(body.toSpec()))).build();
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change an operating system; the same rules as registering")
    public OperatingSystemDto update(@PathParam("id") String id, OperatingSystemInputDto body) {
        SettingsResource.required(body);
        return OperatingSystemDto.of(systems().update(InventoryParams.id("id", id), body.toSpec()));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete an operating system (its files in the image folder stay)")
    public Response delete(@PathParam("id") String id) {
        systems().delete(InventoryParams.id("id", id));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/answer-files")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Render the answer files of machines from the type's template (batch); a template that does"
            + " not parse or uses an unknown variable is a 400 naming its file and line")
    public List<AnswerFileDto> answerFiles(@PathParam("id") String id, AnswerFilesRequestDto body) {
        SettingsResource.required(body);
        return answers().render(InventoryParams.id("id", id), body.toInstalls()).stream().map(AnswerFileDto::of)
                .toList();
    }

    @POST
    @Path("templates/{type}/check")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Check a type's template as it is now in the template folder: 204, or 400 naming its file"
            + " and line")
    public Response checkTemplate(@PathParam("type") String type) {
        answers().checkTemplate(OsType.ofKey(type)
                .orElseThrow(() -> new ValidationException("type", "Unknown operating system type")));
        return Response.noContent().build();
    }

    @POST
    @Path("password-hash")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "The SHA-512 crypt of a root password, for the OS tab's rootPasswordHash; the clear text is"
            + " not kept")
    public PasswordHashDto passwordHash(PasswordDto body) {
        SettingsResource.required(body);
        if (body.password() == null) {
            throw new ValidationException("password", "'password' is required");
        }
        return new PasswordHashDto(systems().hashPassword(body.password().toCharArray()));
    }
}
