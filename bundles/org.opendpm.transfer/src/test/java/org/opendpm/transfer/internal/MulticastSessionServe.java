package org.opendpm.transfer.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.multicast.MemberDroppedException;
import org.opendpm.api.multicast.MulticastOptions;
import org.opendpm.api.multicast.MulticastSession;
import org.opendpm.image.ImageReader;

/**
 * The server's side of a multicast session as a process of its own, for the tests on network namespaces
 * ({@code MulticastNamespaceTest}), where it runs in the sender's namespace: the real agent link ({@link LinkFixture}:
 * the real {@code AgentLinkService}, inventory and database) listening on the given address, with the session's
 * group sent on the given interface. The agents, real {@code org.opendpm.agent.Main} processes in namespaces of their
 * own, connect to it; when all have, one session of them all runs with the given drop bound.
 *
 * <pre>
 * MulticastSessionServe --address A --iface IF --pool CIDR --port P --image IMG --drop SECONDS --max-rate B/s
 *                       --machines NAME=MAC,NAME=MAC...
 * </pre>
 *
 * It prints {@code READY PORT FINGERPRINT} once listening, {@code joined} when the members are asked to join,
 * {@code progress NAME CHUNKS} on each member's progress, one result line per member ({@code done NAME chunks=C
 * bytes=B mismatches=N}, {@code dropped NAME machine=ID: MESSAGE} or {@code failed NAME: ERROR}), then {@code END}
 * and exits 0 (1 on a failure of its own).
 */
public final class MulticastSessionServe {

    private MulticastSessionServe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("address", "iface", "pool", "port", "image", "drop", "max-rate", "machines")) {
            if (!o.containsKey(required)) {
                System.err.println("usage: MulticastSessionServe --address A --iface IF --pool CIDR --port P "
                        + "--image IMG --drop SECONDS --max-rate B/s --machines NAME=MAC,...: --" + required
                        + " is missing");
                System.exit(2);
            }
        }
        try (LinkFixture f = new LinkFixture(Map.of("address", o.get("address"), "multicastGroupPool", o.get("pool"),
                "multicastPort", Integer.parseInt(o.get("port")), "multicastInterface", o.get("iface"),
                "multicastMaxRate", Long.parseLong(o.get("max-rate"))))) {
            Map<String, Machine> machines = new LinkedHashMap<>();
            for (String nm : o.get("machines").split(",")) {
                String[] p = nm.split("=", 2);
                machines.put(p[0], f.machine(p[0], p[1]));
            }
            Path image = Path.of(o.get("image"));
            long size;
            try (ImageReader r = ImageReader.open(image)) {
                size = r.header().disks().get(0).size();
            }
            System.out.println("READY " + f.address().getPort() + " " + f.fingerprint());
            for (Machine m : machines.values()) {
                LinkFixture.await("agent " + m.name() + " connected", Duration.ofSeconds(60),
                        () -> f.link.agent(m.id()).isPresent());
            }
            List<ImageDisk> disks = List.of(new ImageDisk(1, size, 512));
            try (MulticastSession s = f.link.open(image, new MulticastOptions(Duration.ofSeconds(Long.parseLong(o.get(
                    "drop")))))) {
                List<CompletableFuture<String>> results = new ArrayList<>();
                for (Machine m : machines.values()) {
                    results.add(s.join(m.id(), disks, true, (chunks, bytes) -> System.out.println("progress "
                            + m.name() + " " + chunks)).toCompletableFuture().handle((w, t) -> {
                                Throwable e = t instanceof CompletionException && t.getCause() != null
                                        ? t.getCause()
                                        : t;
                                if (e == null) {
                                    return "done " + m.name() + " chunks=" + w.chunks() + " bytes="
                                            + w.bytesWritten() + " mismatches=" + w.mismatches().size();
                                }
                                return e instanceof MemberDroppedException
                                        ? "dropped " + m.name() + " machine=" + m.id() + ": " + e.getMessage()
                                        : "failed " + m.name() + ": " + e;
                            }).thenApply(line -> {
                                System.out.println(line);
                                return line;
                            }));
                }
                System.out.println("joined");
                CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            }
            System.out.println("END");
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
