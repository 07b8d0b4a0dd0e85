package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.MachineDisksDto;
import org.opendpm.rest.internal.json.JsonProvider;

/** IMG-4: a machine's disks over REST, against an inventory double. */
public class MachineDiskResourceTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    /** Machine 7 was scanned, 8 never; every other id is unknown; machine 9 finds the database down. */
    private static InventoryService inventory() {
        return (InventoryService) Proxy.newProxyInstance(InventoryService.class.getClassLoader(),
                new Class<?>[]{ InventoryService.class }, (proxy, m, args) -> {
                    if (!m.getName().equals("disks")) {
                        throw new AssertionError("not used by this resource: " + m.getName());
                    }
                    long id = (Long) args[0];
                    if (id == 7) {
                        return new MachineDisks(7, List.of(new DiskInfo(1, "sda", 64L << 20, "mbr", "QEMU HARDDISK",
                                List.of(new PartitionInfo(1, 1 << 20, 8L << 20, "83", "ext4"),
                                        new PartitionInfo(5, 10L << 20, 4L << 20, "82", "swap"))),
                                new DiskInfo(2, "vda", 0, "none", "", List.of())), Optional.of(T));
                    }
                    if (id == 8) {
                        return MachineDisks.never(8);
                    }
                    if (id == 9) {
                        throw new StoreUnavailableException("The database is not available");
                    }
                    throw new NotFoundException("No machine with id " + id);
                });
    }

    private final MachineDiskResource resource = new MachineDiskResource(inventory());

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(MachineDiskResource.class)).isEqualTo(Map.of("get", Roles.VIEWER));
    }

    @Test
    public void disksWithPartitionsAndTheScanTimeAreAnsweredAsJson() throws Exception {
        String json = JsonProvider.mapper().writeValueAsString(resource.get("7"));
        assertThat(json).isEqualTo("{\"machineId\":7,\"scannedAt\":\"2026-03-01T10:00:00Z\",\"disks\":["
                + "{\"number\":1,\"device\":\"sda\",\"sizeBytes\":67108864,\"partitionTable\":\"mbr\","
                + "\"model\":\"QEMU HARDDISK\",\"partitions\":["
                + "{\"number\":1,\"startBytes\":1048576,\"sizeBytes\":8388608,\"type\":\"83\",\"filesystem\":\"ext4\"},"
                + "{\"number\":5,\"startBytes\":10485760,\"sizeBytes\":4194304,\"type\":\"82\",\"filesystem\":\"swap\"}"
                + "]},"
                + "{\"number\":2,\"device\":\"vda\",\"sizeBytes\":0,\"partitionTable\":\"none\",\"model\":\"\","
                + "\"partitions\":[]}]}");
    }

    @Test
    public void aMachineNeverScannedHasNoScanTimeAndNoDisks() {
        assertThat(resource.get("8")).isEqualTo(new MachineDisksDto(8, null, List.of()));
    }

    @Test
    public void anUnknownMachineIs404ABadIdIs400AndNoDatabaseIs503() {
        assertThat(problem(catchIt(() -> resource.get("99")), 404).detail()).isEqualTo("No machine with id 99");
        assertThat(problem(catchIt(() -> resource.get("seven")), 400).field()).isEqualTo("id");
        assertThat(problem(catchIt(() -> resource.get("9")), 503).detail()).contains("database");
    }
}
