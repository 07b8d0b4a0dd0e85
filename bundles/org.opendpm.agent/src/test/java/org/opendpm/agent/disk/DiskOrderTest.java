package org.opendpm.agent.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.Test;

/** IMG-4: the order disk numbers follow. */
public class DiskOrderTest {

    @Test
    public void familiesThenKernelNameOrder() {
        List<String> expected = List.of("hda", "hdb", "sda", "sdb", "sdz", "sdaa", "sdab", "sdba", "vda", "vdb",
                "xvda", "nvme0n1", "nvme0n2", "nvme1n1", "nvme2n1", "nvme10n1", "mmcblk0", "mmcblk1", "pmem0",
                "ubda");
        List<String> shuffled = new ArrayList<>(expected);
        Collections.shuffle(shuffled, new java.util.Random(4));
        shuffled.sort(DiskOrder.INSTANCE);
        assertThat(shuffled).containsExactlyElementsOf(expected);
    }
}
