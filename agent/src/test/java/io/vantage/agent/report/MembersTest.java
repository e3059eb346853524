package io.vantage.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vantage.agent.Instance;
import io.vantage.agent.metrics.MetricNames;
import io.vantage.agent.testing.RunningAgent;
import io.vantage.testing.AgentYaml;
import io.vantage.testing.Ports;
import io.vantage.testing.TestHttpServer;
import io.vantage.wire.Documents;
import io.vantage.wire.Headers;
import io.vantage.wire.report.ProbeResult;
import io.vantage.wire.report.ReportBatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent as one member of its vantage point, against stand-in aggregators on loopback that each serve it a share of
 * the targets: its instance id on every request, the union of the shares probed, a failing aggregator's last share
 * kept, and an empty share ready.
 */
class MembersTest {
    private static final String TOKEN = "members-test-token-0123456789";

    @TempDir
    Path directory;

    private Vertx vertx;
    private TestHttpServer endpoint;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        endpoint = TestHttpServer.plain(vertx);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        vertx.close().await();
    }

    /** An aggregator that serves a settable target list (503 while it is null) and records every request. */
    private final class Aggregator {
        final List<Request> requests = new CopyOnWriteArrayList<>();
        final Map<String, ProbeResult> newest = new ConcurrentHashMap<>();
        volatile String targets;
        final HttpServer server;

        Aggregator(String... targetNames) {
            serve(targetNames);
            server = vertx.createHttpServer()
                    .requestHandler(request -> request.body().onSuccess(body -> {
                        requests.add(new Request(request.path(), request.getHeader(Headers.INSTANCE)));
                        if (request.path().equals("/v1/targets")) {
                            String list = targets;
                            if (list == null) {
                                request.response().setStatusCode(503).end("not now");
                            } else {
                                request.response().setStatusCode(200).end(list);
                            }
                            return;
                        }
                        ReportBatch batch = Documents.readJson(body.getBytes(), ReportBatch.class);
                        batch.results().forEach(result -> newest.put(result.target(), result));
                        request.response().setStatusCode(202).end("{}");
                    }))
                    .listen(0, "127.0.0.1")
                    .await();
        }

        /** Serves these targets from now on, each a TCP probe of the test's endpoint. */
        void serve(String... names) {
            targets = list(endpoint.port(), names);
        }

        void fail() {
            targets = null;
        }

        String url() {
            return "http://127.0.0.1:" + server.actualPort();
        }

        String label() {
            return "127.0.0.1:" + server.actualPort();
        }
    }

    private record Request(String path, String instance) {}

    private static String list(int port, String... names) {
        return "{\"targets\":["
                + Arrays.stream(names)
                        .map(name -> "{\"name\":\"" + name + "\",\"interval\":\"1s\",\"timeout\":\"500ms\","
                                + "\"tcp\":{\"host\":\"127.0.0.1\",\"port\":" + port + "}}")
                        .collect(Collectors.joining(","))
                + "]}";
    }

    private Path config(Aggregator... aggregators) throws Exception {
        Files.writeString(directory.resolve("token"), TOKEN);
        AgentYaml yaml = AgentYaml.agent("agent-a", "eu-west-1")
                .agentSetting("targetsRefresh", "1s")
                .agentSetting("pushInterval", "200ms");
        for (Aggregator aggregator : aggregators) {
            yaml.aggregator(aggregator.url(), "token");
        }
        return yaml.server("127.0.0.1", 0).write(directory.resolve("agent.yaml"));
    }

    private static Set<String> scheduled(RunningAgent agent) {
        return agent.agent().probeLoops().offsets().await().keySet();
    }

    private static double fetches(RunningAgent agent, Aggregator aggregator, String outcome) {
        return agent.value(MetricNames.TARGETS_FETCH, "aggregator", aggregator.label(), "outcome", outcome);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theInstanceFromTheEnvironmentIsSentOnReportsAndTargetFetches() throws Exception {
        Aggregator aggregator = new Aggregator("a");
        try (RunningAgent agent =
                RunningAgent.start(config(aggregator), Map.of(Instance.ENV, "vantage-agent-eu-7f9c-2"))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            aggregator.requests.stream().anyMatch(r -> r.path().equals("/v1/reports"))
                                    && aggregator.requests.stream()
                                            .anyMatch(r -> r.path().equals("/v1/targets")));
            assertThat(aggregator.requests).extracting(Request::instance).containsOnly("vantage-agent-eu-7f9c-2");
            assertThat(get(agent.url("/readyz")).body()).contains("member vantage-agent-eu-7f9c-2");
        }
    }

    @Test
    void withoutTheVariableOneRandomInstanceIsSentOnBothEndpoints() throws Exception {
        Aggregator first = new Aggregator("a");
        Aggregator second = new Aggregator("b");
        try (RunningAgent agent = RunningAgent.start(config(first, second), Map.of())) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> List.of(first, second).stream()
                            .allMatch(aggregator -> aggregator.requests.stream()
                                            .anyMatch(r -> r.path().equals("/v1/reports"))
                                    && aggregator.requests.stream()
                                            .anyMatch(r -> r.path().equals("/v1/targets"))));
            Set<String> instances = List.of(first, second).stream()
                    .flatMap(aggregator -> aggregator.requests.stream())
                    .map(Request::instance)
                    .collect(Collectors.toSet());
            assertThat(instances)
                    .as("one id for the process, on every request to every aggregator")
                    .hasSize(1);
            assertThat(instances.iterator().next()).matches("[0-9a-f]{16}");
        }
    }

    @Test
    void aBadInstanceIsRefusedNamingTheVariable() {
        for (String bad : List.of("", "pod name", "-pod", "x".repeat(65), "pod\n")) {
            assertThatThrownBy(() -> Instance.from(Map.of(Instance.ENV, bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Instance.ENV);
        }
        assertThat(Instance.from(Map.of(Instance.ENV, "x".repeat(64)))).isEqualTo("x".repeat(64));
    }

    @Test
    void theUnionOfTheAggregatorsSharesIsProbed() throws Exception {
        Aggregator first = new Aggregator("a", "b");
        Aggregator second = new Aggregator("b", "c");
        try (RunningAgent agent = RunningAgent.start(config(first, second))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> scheduled(agent).equals(Set.of("a", "b", "c")));
            // Every result goes to every aggregator, whichever assigned the target.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> first.newest.keySet().equals(Set.of("a", "b", "c"))
                            && second.newest.keySet().equals(Set.of("a", "b", "c")));
            assertThat(first.newest.values()).allMatch(ProbeResult::success);
            assertThat(agent.value(MetricNames.TARGETS_ASSIGNED, "aggregator", first.label()))
                    .isEqualTo(2.0);
            assertThat(agent.value(MetricNames.TARGETS_ASSIGNED, "aggregator", second.label()))
                    .isEqualTo(2.0);
            assertThat(agent.value(MetricNames.TARGETS)).isEqualTo(3.0);

            second.serve("c", "d");
            await().atMost(Duration.ofSeconds(10)).until(() -> scheduled(agent).equals(Set.of("a", "b", "c", "d")));
            first.serve("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> scheduled(agent).equals(Set.of("a", "c", "d")));
        }
    }

    @Test
    void aFailingAggregatorKeepsItsLastShareInTheUnion() throws Exception {
        Aggregator first = new Aggregator("a");
        Aggregator second = new Aggregator("b");
        try (RunningAgent agent = RunningAgent.start(config(first, second))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> scheduled(agent).equals(Set.of("a", "b")));
            second.fail();
            double failures = fetches(agent, second, "failure");
            await().atMost(Duration.ofSeconds(10)).until(() -> fetches(agent, second, "failure") >= failures + 2);
            assertThat(scheduled(agent))
                    .as("the failing aggregator's share is still probed")
                    .containsOnly("a", "b");
            assertThat(agent.value(MetricNames.TARGETS_ASSIGNED, "aggregator", second.label()))
                    .isEqualTo(1.0);

            // The other aggregator's new share joins the failing one's last share.
            first.serve("a", "c");
            await().atMost(Duration.ofSeconds(10)).until(() -> scheduled(agent).equals(Set.of("a", "b", "c")));

            second.serve("d");
            await().atMost(Duration.ofSeconds(10)).until(() -> scheduled(agent).equals(Set.of("a", "c", "d")));
        }
    }

    @Test
    void theFirstAggregatorsSpecWinsForATargetBothServe() throws Exception {
        Aggregator first = new Aggregator();
        Aggregator second = new Aggregator();
        first.targets = list(endpoint.port(), "t");
        // The same name, probing a port where nothing listens: its results would fail.
        second.targets = list(Ports.free(), "t");
        try (RunningAgent agent = RunningAgent.start(config(first, second))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> targetFetches(first) >= 2 && targetFetches(second) >= 2);
            // Both lists are in: a probe started from now on probes the spec in force.
            long settled = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> first.newest.containsKey("t")
                            && first.newest.get("t").timestamp() > settled);
            assertThat(first.newest.get("t").success())
                    .as("probed as the first aggregator in config order serves it")
                    .isTrue();
            assertThat(scheduled(agent)).containsOnly("t");
        }
    }

    private static long targetFetches(Aggregator aggregator) {
        return aggregator.requests.stream()
                .filter(r -> r.path().equals("/v1/targets"))
                .count();
    }

    @Test
    void aMemberWithAnEmptyShareIsReady() throws Exception {
        Aggregator aggregator = new Aggregator();
        aggregator.fail();
        try (RunningAgent agent = RunningAgent.start(config(aggregator), Map.of(Instance.ENV, "member-1"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> fetches(agent, aggregator, "failure") >= 1);
            HttpResponse<String> notYet = get(agent.url("/readyz"));
            assertThat(notYet.statusCode()).as("no aggregator has answered yet").isEqualTo(503);
            assertThat(notYet.body()).startsWith("not ready: member member-1, no targets yet");

            aggregator.serve();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> get(agent.url("/readyz")).statusCode() == 200);
            assertThat(get(agent.url("/readyz")).body())
                    .isEqualTo("ready: member member-1, 0 targets assigned by " + aggregator.label() + "\n");
            assertThat(agent.agent().probeLoops().size()).isZero();

            aggregator.serve("a");
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            get(agent.url("/readyz")).body().startsWith("ready: member member-1, probing 1 targets"));
        }
    }
}
