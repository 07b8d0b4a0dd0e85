package org.opendpm.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The whiteboard service properties as built into the bundle's component descriptions: every resource requires the
 * authentication filter and the role check, by the names those two carry, so that the JAX-RS whiteboard never
 * serves a resource to a request that was not authenticated and checked, not even while OpenDPM starts.
 */
public class WhiteboardPropertiesTest {

    /** The properties of every component of this bundle, by component name. */
    private static Map<String, Map<String, List<String>>> components() throws Exception {
        Path classes = Path.of(OpenDpmApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Map<String, Map<String, List<String>>> all = new HashMap<>();
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (Stream<Path> files = Files.list(classes.resolve("OSGI-INF"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".xml")).toList()) {
                Element root;
                try (InputStream in = Files.newInputStream(f)) {
                    root = factory.newDocumentBuilder().parse(in).getDocumentElement();
                }
                Map<String, List<String>> properties = new HashMap<>();
                NodeList list = root.getElementsByTagName("property");
                for (int i = 0; i < list.getLength(); i++) {
                    Element p = (Element) list.item(i);
                    String value = p.hasAttribute("value") ? p.getAttribute("value") : p.getTextContent();
                    properties.put(p.getAttribute("name"), Arrays.stream(value.split("\n")).map(String::strip)
                            .filter(v -> !v.isEmpty()).toList());
                }
                all.put(root.getAttribute("name"), properties);
            }
        }
        return all;
    }

    @Test
    public void everyResourceRequiresTheAuthenticationFilterAndTheRoleCheck() throws Exception {
        var components = components();
        List<String> resources = new ArrayList<>();
        components.forEach((name, properties) -> {
            if (properties.containsKey("osgi.jaxrs.resource")) {
                resources.add(name);
                assertThat(properties.get("osgi.jaxrs.extension.select")).as(name)
                        .containsExactlyInAnyOrder(OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK);
            }
        });
        assertThat(resources).hasSizeGreaterThan(20)
                .contains("org.opendpm.rest.internal.resources.ServerResource");
        assertThat(components.get("org.opendpm.rest.internal.security.AuthenticationFilter").get("osgi.jaxrs.name"))
                .containsExactly(OpenDpmApplication.AUTHENTICATION_NAME);
        assertThat(components.get("org.opendpm.rest.internal.security.RolesAllowedFeature").get("osgi.jaxrs.name"))
                .containsExactly(OpenDpmApplication.ROLE_CHECK_NAME);
    }
}
