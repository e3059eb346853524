package io.vantage.systemtest;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vantage.testing.aws.LocalAwsBridge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.GenericContainer;

/**
 * What the failure matrices ({@link FailureMatrixIT}, {@link TwoRegionMatrixIT}) share: an aggregator's status and
 * verdicts, the settled state every row starts from, sampling over a window, the first Healthy=0 datum CloudWatch
 * received, and the table of rows each matrix writes.
 */
final class Matrix {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private Matrix() {}

    /** {@code /v1/status} of {@code aggregator}, a container of {@code fleet}. */
    static JsonNode status(Fleet fleet, GenericContainer<?> aggregator) throws Exception {
        return JSON.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create(fleet.url(aggregator, 8080, "/v1/status")))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    /** {@code /v1/status} of the aggregator answering at {@code base} (a process on loopback). */
    static JsonNode status(String base) throws Exception {
        return JSON.readTree(HTTP.send(
                        HttpRequest.newBuilder(URI.create(base + "/v1/status"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    /** Each target's verdict in {@code status}, by name. */
    static Map<String, String> verdicts(JsonNode status) {
        Map<String, String> verdicts = new LinkedHashMap<>();
        status.get("targets")
                .forEach(t ->
                        verdicts.put(t.get("name").asText(), t.get("verdict").asText()));
        return verdicts;
    }

    /**
     * Whether {@code status} shows the state every row starts from: exactly {@code targets}, each HEALTHY on a fresh
     * healthy vote of every one of the {@code agents}, and no agent blind. A verdict alone is not enough: after a row
     * that restarted or cut off an agent, the targets can be HEALTHY on the others' votes before that agent votes
     * again, and a row started then sees the rest of the previous row.
     */
    static boolean settled(JsonNode status, Map<String, String> targets, int agents) {
        if (!verdicts(status).equals(targets)) {
            return false;
        }
        for (JsonNode target : status.get("targets")) {
            JsonNode vantages = target.get("vantages");
            if (vantages.size() != agents) {
                return false;
            }
            for (JsonNode vantage : vantages) {
                if (!vantage.path("state").asText().equals("healthy")) {
                    return false;
                }
            }
        }
        for (JsonNode agent : status.get("agents")) {
            if (agent.get("blind").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every status {@code statuses} reads is {@link #settled}. */
    static void awaitSettled(Callable<List<JsonNode>> statuses, Map<String, String> targets, int agents) {
        await("every target HEALTHY on every agent's fresh vote, no agent blind")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> statuses.call().stream().allMatch(status -> settled(status, targets, agents)));
    }

    /** Every verdict map {@code sample} reads (one per replica) while sampling for {@code window}, in order. */
    static List<Map<String, String>> observe(Duration window, Callable<List<Map<String, String>>> sample)
            throws Exception {
        List<Map<String, String>> seen = new ArrayList<>();
        long until = System.currentTimeMillis() + window.toMillis();
        while (System.currentTimeMillis() < until) {
            seen.addAll(sample.call());
            TimeUnit.MILLISECONDS.sleep(250); // sampling over a window: the assertion is about everything seen in it
        }
        return seen;
    }

    /** Seconds from {@code since} to the first PutMetricData at {@code bridge} carrying Healthy=0 for {@code target}. */
    static double firstZeroDatum(LocalAwsBridge bridge, String target, long since, Duration atMost) {
        double[] seconds = {Double.NaN};
        await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(() -> {
            for (LocalAwsBridge.Seen seen : bridge.seen("PutMetricData")) {
                if (seen.at() >= since
                        && seen.body().contains("\"" + target + "\"")
                        && seen.datums("Healthy", target).contains(0.0)) {
                    seconds[0] = (seen.at() - since) / 1000.0;
                    return true;
                }
            }
            return false;
        });
        return seconds[0];
    }

    static String seconds(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%.1f s", value);
    }

    static String seconds(double[] both) {
        return String.format(Locale.ROOT, "%.1f s / %.1f s", both[0], both[1]);
    }

    /** The rows a matrix measured, written as a markdown table once it ran (docs/failure-matrix.md keeps the latest). */
    static final class Table {
        private final String verdictColumn;
        private final List<String> rows = new ArrayList<>();

        Table(String verdictColumn) {
            this.verdictColumn = verdictColumn;
        }

        void row(int number, String scenario, String expected, String observed, String verdict, String datum) {
            rows.add(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s | %s | %s | %s |",
                    number,
                    scenario,
                    expected,
                    observed,
                    verdict,
                    datum));
        }

        /** Writes the table to {@code file} under a line saying when and with which {@code settings} it ran. */
        void write(Path file, String settings) throws Exception {
            StringBuilder table = new StringBuilder("| # | scenario | expected | observed | " + verdictColumn
                    + " | failure → first Healthy=0 datum |\n|---|---|---|---|---|---|\n");
            rows.forEach(row -> table.append(row).append('\n'));
            Files.writeString(file, "Run " + Instant.now() + "; " + settings + "\n\n" + table);
            System.out.println(table);
        }
    }
}
