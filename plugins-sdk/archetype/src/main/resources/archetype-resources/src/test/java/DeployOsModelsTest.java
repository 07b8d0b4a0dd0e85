package ${package};

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import org.junit.Test;
import org.opendpm.spi.testkit.DeployOsDescriptors;

/** The descriptor is valid and resolves models the way the OpenDPM core will. */
public class DeployOsModelsTest {

    private final DeployOsDescriptors descriptor = DeployOsDescriptors.load(getClass().getClassLoader(),
            "OSGI-INF/opendpm/deployos-models.xml");

    @Test
    public void exactModelAndPatternResolve() {
        assertEquals("ia32_150413_26", descriptor.resolve("${vendor} Server 100").orElseThrow().id());
        assertEquals("ia32_150413_26", descriptor.resolve("${vendor} Server 250").orElseThrow().id());
        assertFalse(descriptor.resolve("Another Server").isPresent());
    }
}
