import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Inventory benchmark against a running, empty OpenDPM server (bench/inventory/run.sh starts one):
 * 1. import 40,000 machines over 100 groups from one CSV (POST /machines/import), wall time seen by the client;
 * 2. 1,000 requests for a page of 100 machines of one group, and 1,000 for the group tree, one after another on one
 *    keep-alive connection, after 200 unmeasured warm-up requests each, twice: p50, p99, max;
 * 3. 1,000 concurrent sightings of 1,000 new machines (POST /machines/seen, 100 client threads), then the same
 *    1,000 again: each listed exactly once under New Machine.
 * Exits non-zero if a check fails. Run: java InventoryBench.java http://127.0.0.1:8181 admin 'password'
 */
public class InventoryBench {

    static HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static String api;
    static String auth;

    public static void main(String[] args) throws Exception {
        api = args[0] + "/opendpm/api/v1/";
        auth = "Basic " + Base64.getEncoder().encodeToString((args[1] + ":" + args[2]).getBytes(StandardCharsets.UTF_8));
        int machines = 40_000;
        int groups = 100;

        StringBuilder csv = new StringBuilder("group_path,name,macs,uuid,ip,model,deploy_os\n");
        for (int i = 0; i < machines; i++) {
            csv.append(String.format("/bench/g%03d,bench-%05d,02-00-%02X-%02X-%02X-%02X,%08x-0000-4000-8000-%012x,"
                    + "10.%d.%d.%d,Express5800/R120h,\n", i % groups, i, i >>> 24 & 255, i >>> 16 & 255, i >>> 8 & 255,
                    i & 255, i + 1, i + 1, i >>> 16 & 255, i >>> 8 & 255, 1 + (i & 127)));
        }
        long t0 = System.nanoTime();
        HttpResponse<String> imported = send("POST", "machines/import", "text/csv", csv.toString());
        long importMs = (System.nanoTime() - t0) / 1_000_000;
        check(imported.statusCode() == 200 && imported.body().contains("\"machines\":" + machines),
                "import: " + imported.statusCode() + " " + imported.body());
        System.out.printf("import of %d machines over %d groups (%.1f MB CSV): %d ms -> %s%n", machines, groups,
                csv.length() / 1e6, importMs, imported.body());

        HttpResponse<String> group = send("GET", "groups/by-path?path=" + URLEncoder.encode("/bench/g050",
                StandardCharsets.UTF_8), null, null);
        String groupId = field(group.body(), "id");
        String pagePath = "machines?group=" + groupId + "&limit=100";
        HttpResponse<String> first = send("GET", pagePath, null, null);
        check(first.statusCode() == 200 && first.body().contains("\"total\":" + machines / groups)
                && count(first.body(), "\"groupPath\":\"/bench/g050\"") == 100, "page: " + first.body());
        HttpResponse<String> tree = send("GET", "groups/tree", null, null);
        check(tree.statusCode() == 200 && count(tree.body(), "\"machineCount\":" + machines / groups) == groups,
                "tree: " + tree.body().substring(0, Math.min(300, tree.body().length())));

        latency("page of 100 machines of one group (GET /" + pagePath + ")", pagePath);
        latency("group tree (GET /groups/tree, " + (groups + 1) + " groups)", "groups/tree");

        List<String> macs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            macs.add(String.format("0E-00-00-00-%02X-%02X", i >>> 8, i & 255));
        }
        for (int round = 1; round <= 2; round++) {
            String expected = round == 1 ? "NEW_MACHINE" : "NEW_MACHINE_UPDATED";
            ExecutorService pool = Executors.newFixedThreadPool(100);
            List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
            for (String mac : macs) {
                calls.add(() -> send("POST", "machines/seen", "application/json",
                        "{\"mac\":\"" + mac + "\",\"seenBy\":\"NETWORK_BOOT\"}"));
            }
            long s0 = System.nanoTime();
            List<Future<HttpResponse<String>>> results = pool.invokeAll(calls);
            long seenMs = (System.nanoTime() - s0) / 1_000_000;
            pool.shutdown();
            Set<String> ids = new HashSet<>();
            int asExpected = 0;
            for (Future<HttpResponse<String>> f : results) {
                HttpResponse<String> r = f.get();
                check(r.statusCode() == 200, "seen: " + r.statusCode() + " " + r.body());
                asExpected += field(r.body(), "outcome").equals(expected) ? 1 : 0;
                ids.add(field(r.body(), "id"));
            }
            String listed = send("GET", "new-machines", null, null).body();
            int entries = 0;
            for (String mac : macs) {
                entries += count(listed, "\"mac\":\"" + mac.toLowerCase().replace('-', ':') + "\"");
            }
            System.out.printf("round %d: 1000 concurrent registerSeen (100 threads): %d ms; %d answered %s, %d"
                    + " distinct ids, %d entries listed for the 1000 MACs%n", round, seenMs, asExpected, expected,
                    ids.size(), entries);
            check(asExpected == 1000 && ids.size() == 1000 && entries == 1000, "registerSeen not exactly once");
        }
        System.out.println("all checks passed");
    }

    static void latency(String what, String path) throws Exception {
        for (int i = 0; i < 200; i++) {
            send("GET", path, null, null);
        }
        // Two measured rounds: the first right after the import (Derby is still updating index statistics and the
        // JIT is still compiling), the second in steady state; both are reported.
        for (int round = 1; round <= 2; round++) {
            long[] ns = new long[1000];
            for (int i = 0; i < ns.length; i++) {
                long s = System.nanoTime();
                HttpResponse<String> r = send("GET", path, null, null);
                ns[i] = System.nanoTime() - s;
                check(r.statusCode() == 200, what + ": " + r.statusCode());
            }
            Arrays.sort(ns);
            System.out.printf("%s, round %d of 1000 requests: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", what, round,
                    ns[499] / 1e6, ns[989] / 1e6, ns[999] / 1e6);
        }
    }

    static HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", auth)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^,\"}]*)").matcher(json);
        return m.find() ? m.group(1) : "";
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("CHECK FAILED: " + what);
            System.exit(1);
        }
    }
}
