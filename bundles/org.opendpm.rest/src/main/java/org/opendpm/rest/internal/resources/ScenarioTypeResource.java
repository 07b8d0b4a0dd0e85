package org.opendpm.rest.internal.resources;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginKind;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.dto.ScenarioTypeDto;
import org.opendpm.spi.ScenarioType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The installed scenario types (SCN-2) with the JSON Schema of their settings, so a client can draw and check any
 * scenario tab without knowing its plugin. A plugin whose schema is not a JSON object is still listed, with the
 * reason in {@code schemaError}, and logged once.
 */
@Component(service = ScenarioTypeResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("scenario-types")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "scenarios")
public class ScenarioTypeResource {

    private static final Logger LOG = LoggerFactory.getLogger(ScenarioTypeResource.class);

    /** Longest schema read, in characters: real tab schemas are a few kilobytes. */
    static final int MAX_SCHEMA_CHARS = 256 * 1024;

    /** Deepest nesting read: a settings form deeper than this cannot be drawn. */
    static final int MAX_SCHEMA_DEPTH = 64;

    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_SCHEMA_DEPTH)
                    .maxStringLength(MAX_SCHEMA_CHARS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final PluginRegistry plugins;

    /** Broken schemas already logged, by service id and reason, so listing often does not flood the log. */
    final Set<String> logged = ConcurrentHashMap.newKeySet();

    @Activate
    public ScenarioTypeResource(@Reference PluginRegistry plugins) {
        this.plugins = plugins;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every installed scenario type by key: display name, whether it needs the Deploy-OS, its"
            + " bundle and the JSON Schema (draft 2020-12) of its settings; a type whose schema cannot be read is"
            + " listed with schemaError instead",
            responses = @ApiResponse(responseCode = "200", description = "The scenario types, sorted by key",
                    content = @Content(array = @ArraySchema(schema = @Schema(
                            implementation = ScenarioTypeDto.class)))))
    public List<ScenarioTypeDto> list() {
        List<ScenarioTypeDto> result = new ArrayList<>();
        for (PluginInfo info : plugins.plugins()) {
            if (info.kind() == PluginKind.SCENARIO_TYPE && info.winner()) {
                // The plugin may leave between the two calls; then it is simply not listed.
                plugins.scenarioType(info.key()).ifPresent(type -> result.add(describe(info, type)));
            }
        }
        return result;
    }

    @GET
    @Path("{key}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One installed scenario type with the JSON Schema of its settings",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The scenario type",
                            content = @Content(schema = @Schema(implementation = ScenarioTypeDto.class))),
                    @ApiResponse(responseCode = "404", description = "No scenario type of this key is installed",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public ScenarioTypeDto get(
            @Parameter(description = "scenario-type key, such as disk-check") @PathParam("key") String key) {
        String k = key.strip();
        Optional<PluginInfo> info = plugins.plugins().stream()
                .filter(p -> p.kind() == PluginKind.SCENARIO_TYPE && p.winner() && p.key().equals(k)).findFirst();
        Optional<ScenarioType> type = info.flatMap(p -> plugins.scenarioType(k));
        if (info.isEmpty() || type.isEmpty()) {
            throw new NotFoundException("No scenario type '" + shorten(k) + "' is installed");
        }
        return describe(info.get(), type.get());
    }

    /** The type as listed; a plugin that throws is listed with what failed rather than failing the whole list. */
    private ScenarioTypeDto describe(PluginInfo info, ScenarioType type) {
        String name;
        boolean deployOs;
        int version;
        String schema;
        try {
            name = type.displayName();
            deployOs = type.needsDeployOs();
            version = type.settingsVersion();
            schema = type.settingsSchema();
        } catch (RuntimeException e) {
            String error = "The plugin failed to describe the type: " + e;
            logOnce(info, error);
            return new ScenarioTypeDto(info.key(), info.key(), false, 0, info.bundle(), info.bundleVersion(), null,
                    error);
        }
        Parsed parsed = parse(schema);
        if (parsed.error() != null) {
            logOnce(info, parsed.error());
        }
        return new ScenarioTypeDto(info.key(), name, deployOs, version, info.bundle(), info.bundleVersion(),
                parsed.schema(), parsed.error());
    }

    private void logOnce(PluginInfo info, String error) {
        if (logged.add(info.serviceId() + " " + error)) {
            LOG.warn("Scenario type '{}' of bundle {} {} (service {}): {}", info.key(), info.bundle(),
                    info.bundleVersion(), info.serviceId(), error);
        }
    }

    /** A schema read from a plugin: the object, or why there is none. */
    record Parsed(Map<String, Object> schema, String error) {
    }

    /** Reads a plugin's schema: one JSON object, bounded in length and depth, no key twice. */
    static Parsed parse(String schema) {
        if (schema == null || schema.isBlank()) {
            return new Parsed(null, "The settings schema is empty");
        }
        if (schema.length() > MAX_SCHEMA_CHARS) {
            return new Parsed(null, "The settings schema has " + schema.length() + " characters; the limit is "
                    + MAX_SCHEMA_CHARS);
        }
        JsonNode node;
        try {
            node = JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            return new Parsed(null, "The settings schema is not valid JSON" + (at == null
                    ? ""
                    : " (line "
                            + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ": " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            return new Parsed(null, "The settings schema is not a JSON object but " + node.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT));
        }
        return new Parsed(JSON.convertValue(node, OBJECT), null);
    }

    /** A key from the URL, cut so a long one does not fill the answer. */
    private static String shorten(String key) {
        return key.length() <= 100 ? key : key.substring(0, 100) + "...";
    }
}
