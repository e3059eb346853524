package io.vantage.systemtest;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The fleet in containers built from the project's Dockerfiles on the local JRE base image: one network per
 * region, a "backbone" between regions, a "control" network to the aggregator, one endpoint and one agent
 * per region. Containers run read-only, as the chart and compose run them.
 */
final class Fleet implements AutoCloseable {
    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    static final String BASE_IMAGE = System.getProperty("vantage.baseImage", "vantage/jre:17");
    /** The agent's small base (scripts/build-base-images.sh: a jlinked JDK 25 with glibc, bash and busybox). */
    static final String AGENT_BASE_IMAGE = System.getProperty("vantage.agentBaseImage", "vantage/jre:25-slim");

    /** The regions of this fleet, one endpoint and one agent each. */
    final List<String> regionNames;

    final Network backbone = Network.newNetwork();
    /** One control network per aggregator replica, so that agents can be cut off from one replica. */
    final List<Network> controls = new ArrayList<>();

    Network control;
    final Map<String, Network> regions = new LinkedHashMap<>();
    final Map<String, GenericContainer<?>> endpoints = new LinkedHashMap<>();
    final Map<String, GenericContainer<?>> agents = new LinkedHashMap<>();
    GenericContainer<?> aggregator;
    final List<GenericContainer<?>> aggregators = new ArrayList<>();
    private String aggregatorYaml;
    private Map<String, String> tokens;
    private ImageFromDockerfile aggregatorImage;
    private final List<GenericContainer<?>> all = new ArrayList<>();

    Fleet() {
        this(REGIONS);
    }

    Fleet(List<String> regionNames) {
        this.regionNames = List.copyOf(regionNames);
    }

    /** The environment variable that carries the token of the agent in {@code region}. */
    static String tokenVariable(String region) {
        return "VANTAGE_TOKEN_" + region.replace('-', '_').toUpperCase();
    }

    /** The start of the aggregator's config: port 8080 and one agent per region ({@code agent-REGION}). */
    static StringBuilder aggregatorYaml(List<String> regions) {
        StringBuilder yaml = new StringBuilder("server: {port: 8080}\nagents:\n");
        regions.forEach(region -> yaml.append("  - {id: agent-")
                .append(region)
                .append(", region: ")
                .append(region)
                .append(", tokenEnv: ")
                .append(tokenVariable(region))
                .append("}\n"));
        return yaml;
    }

    /**
     * The aggregator's AWS settings against {@code endpoint}: CloudWatch every 2 s, the alarm (Minimum, 2 of 3 periods
     * of 60 s), Route 53 reconciled every minute; then {@code targets:}.
     */
    static String awsSettings(String endpoint) {
        return "deployment: test\ncloudwatch: {mode: aws, region: us-east-1, namespace: Vantage, publishEvery: 2s, endpoint: '"
                + endpoint
                + "'}\nalarm: {period: 60s, evaluationPeriods: 3, datapointsToAlarm: 2, statistic: Minimum}\n"
                + "route53: {enabled: true, reconcileEvery: 1m}\ntargets:\n";
    }

    static void requireDockerAndBaseImages() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new AssertionError(
                    "a Docker engine is required: scripts/start-docker.sh starts Debian's dockerd (./test.sh does)");
        }
        DockerClient docker = DockerClientFactory.instance().client();
        for (String image : List.of(BASE_IMAGE, AGENT_BASE_IMAGE, "vantage/busybox:local")) {
            if (docker.listImagesCmd().withImageNameFilter(image).exec().isEmpty()) {
                throw new AssertionError(
                        "local image " + image + " is missing: run scripts/build-base-images.sh (./test.sh does)");
            }
        }
    }

    static ImageFromDockerfile image(String module) {
        Path dir = Repository.root().resolve(module);
        // The Dockerfile's "prebuilt" stage: the jar this build packaged (and the agent's launcher and native
        // libraries), in a context of just those files.
        ImageFromDockerfile image = new ImageFromDockerfile("vantage/" + module + ":system-test", false)
                .withFileFromPath(module + "/Dockerfile", dir.resolve("Dockerfile"))
                .withDockerfilePath(module + "/Dockerfile")
                .withFileFromPath(
                        module + "/target/vantage-" + module + ".jar", dir.resolve("target/vantage-" + module + ".jar"))
                .withTarget("prebuilt")
                .withBuildArg("BASE_IMAGE", module.equals("agent") ? AGENT_BASE_IMAGE : BASE_IMAGE);
        if (module.equals("agent")) {
            image.withFileFromPath("agent/target/vantage-agent", dir.resolve("target/vantage-agent"));
            image.withFileFromPath("agent/target/native", dir.resolve("target/native"));
        }
        return image;
    }

    /**
     * Config files are bind-mounted read-only (the root filesystem is read-only, so nothing can be copied in);
     * they live under target/ with world-readable permissions for the containers' non-root user.
     */
    private static String configFile(String name, String content) {
        try {
            Path dir = Files.createDirectories(Repository.root().resolve("system-tests/target/fleet-config"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path file = Files.writeString(dir.resolve(name), content);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Fleet start(String aggregatorYaml, String agentYaml, Map<String, String> tokens) {
        return start(aggregatorYaml, agentYaml, tokens, 1, Map.of());
    }

    /**
     * {@code replicas} aggregators, replica n reachable as "aggregator-n" (and the first also as "aggregator")
     * on its own control network; {@code aggregatorEnv} is added to the aggregators' environment.
     */
    /** Creates the replicas' control networks ahead of start, for a test that must know their gateways first. */
    void startNetworksFirst(int replicas) {
        for (int i = 0; i < replicas; i++) {
            Network network = Network.newNetwork();
            network.getId(); // created now
            controls.add(network);
        }
    }

    Fleet start(
            String aggregatorYaml,
            String agentYaml,
            Map<String, String> tokens,
            int replicas,
            Map<String, String> aggregatorEnv) {
        this.aggregatorYaml = aggregatorYaml;
        this.tokens = new HashMap<>(tokens);
        this.tokens.putAll(aggregatorEnv);
        ImageFromDockerfile agentImage = image("agent");
        aggregatorImage = image("aggregator");
        ImageFromDockerfile demoImage = image("demo");
        while (controls.size() < replicas) {
            controls.add(Network.newNetwork());
        }
        control = controls.get(0);
        regionNames.forEach(region -> regions.put(region, Network.newNetwork()));
        for (String region : regionNames) {
            GenericContainer<?> endpoint = hardened(new GenericContainer<>(demoImage), 8080)
                    .withCommand("endpoint", "--region", region, "--port", "8080")
                    .withNetwork(backbone)
                    .withNetworkAliases("endpoint-" + region)
                    .waitingFor(Wait.forHttp("/health").forPort(8080).withStartupTimeout(Duration.ofSeconds(90)));
            start(endpoint);
            connect(endpoint, regions.get(region), "endpoint-" + region);
            endpoints.put(region, endpoint);
        }
        configFile("aggregator.yaml", aggregatorYaml);
        for (int i = 0; i < replicas; i++) {
            aggregators.add(startAggregator(i));
        }
        aggregator = aggregators.get(0);
        for (String region : regionNames) {
            GenericContainer<?> agent = hardened(new GenericContainer<>(agentImage), 9100)
                    .withFileSystemBind(
                            configFile("agent.yaml", agentYaml), "/etc/vantage/agent.yaml", BindMode.READ_ONLY)
                    .withEnv(Map.of(
                            "VANTAGE_AGENT_ID",
                            "agent-" + region,
                            "VANTAGE_REGION",
                            region,
                            "VANTAGE_TOKEN",
                            tokens.get(
                                    "VANTAGE_TOKEN_" + region.replace('-', '_').toUpperCase())))
                    .withNetwork(control)
                    .waitingFor(Wait.forHttp("/healthz").forPort(9100).withStartupTimeout(Duration.ofSeconds(90)));
            start(agent);
            for (Network other : controls.subList(1, controls.size())) {
                connect(agent, other, null);
            }
            connect(agent, regions.get(region), null);
            connect(agent, backbone, null);
            agents.put(region, agent);
        }
        return this;
    }

    /** Starts (or, after a kill, restarts) aggregator replica {@code index} from the shared config file. */
    GenericContainer<?> startAggregator(int index) {
        List<String> aliases = new ArrayList<>(List.of("aggregator-" + (index + 1)));
        if (index == 0) {
            aliases.add("aggregator");
        }
        GenericContainer<?> replica = hardened(new GenericContainer<>(aggregatorImage), 8080)
                .withFileSystemBind(
                        Repository.root()
                                .resolve("system-tests/target/fleet-config/aggregator.yaml")
                                .toString(),
                        "/etc/vantage/aggregator.yaml",
                        BindMode.READ_ONLY)
                .withEnv(tokens)
                .withNetwork(controls.get(index))
                .withNetworkAliases(aliases.toArray(String[]::new))
                .waitingFor(Wait.forHttp("/readyz").forPort(8080).withStartupTimeout(Duration.ofSeconds(90)));
        start(replica);
        return replica;
    }

    /** Rewrites the aggregators' config file in place (the bind mount follows); they reload it. */
    void rewriteAggregatorConfig(String yaml) {
        configFile("aggregator.yaml", yaml);
    }

    /**
     * Read-only, no capabilities, and the port published on 127.0.0.1 only: the engine would otherwise publish
     * it on 0.0.0.0 and [::], sometimes under two different numbers, and the test must reach the IPv4 one.
     */
    private static GenericContainer<?> hardened(GenericContainer<?> container, int port) {
        return container
                .withExposedPorts(port)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withPortBindings(new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(port)))
                        .withReadonlyRootfs(true)
                        .withTmpFs(Map.of("/tmp", "rw,size=16m"))
                        .withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges:true")));
    }

    /** The host's address on a test network (its bridge gateway): where containers reach services the test runs. */
    static String gateway(Network network) {
        return DockerClientFactory.instance()
                .client()
                .inspectNetworkCmd()
                .withNetworkId(network.getId())
                .exec()
                .getIpam()
                .getConfig()
                .get(0)
                .getGateway();
    }

    private void start(GenericContainer<?> container) {
        all.add(container);
        container.start();
    }

    static void connect(GenericContainer<?> container, Network network, String alias) {
        var command = DockerClientFactory.instance()
                .client()
                .connectToNetworkCmd()
                .withContainerId(container.getContainerId())
                .withNetworkId(network.getId());
        if (alias != null) {
            command.withContainerNetwork(new ContainerNetwork().withAliases(alias));
        }
        command.exec();
    }

    /** Stops a container and keeps it (its networks, aliases and file binds), to start it again later. */
    static void stopKept(GenericContainer<?> container) {
        DockerClientFactory.instance()
                .client()
                .stopContainerCmd(container.getContainerId())
                .withTimeout(5)
                .exec();
    }

    static void startKept(GenericContainer<?> container) {
        DockerClientFactory.instance()
                .client()
                .startContainerCmd(container.getContainerId())
                .exec();
    }

    /**
     * Cuts {@code region}'s agent off from every endpoint (the backbone and its region's network; it still reaches the
     * aggregators), or connects it again: an agent that is blind while the others see.
     */
    void cutOff(String region, boolean cut) {
        GenericContainer<?> agent = agents.get(region);
        for (Network network : List.of(backbone, regions.get(region))) {
            if (cut) {
                disconnect(agent, network);
            } else {
                connect(agent, network, null);
            }
        }
    }

    static void disconnect(GenericContainer<?> container, Network network) {
        DockerClientFactory.instance()
                .client()
                .disconnectFromNetworkCmd()
                .withContainerId(container.getContainerId())
                .withNetworkId(network.getId())
                .withForce(true)
                .exec();
    }

    /**
     * The container's address on one of the test's networks; the host reaches bridge networks directly, which
     * (unlike published ports, whose proxies proved unreliable on containers that join networks after start)
     * involves nothing but the bridge.
     */
    static String ipOn(GenericContainer<?> container, Network network) {
        return DockerClientFactory.instance()
                .client()
                .inspectContainerCmd(container.getContainerId())
                .exec()
                .getNetworkSettings()
                .getNetworks()
                .values()
                .stream()
                .filter(attached -> network.getId().equals(attached.getNetworkID()))
                .map(ContainerNetwork::getIpAddress)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("container not on network " + network.getId()));
    }

    String url(GenericContainer<?> container, int port, String path) {
        return "http://127.0.0.1:" + container.getMappedPort(port) + path;
    }

    /**
     * Stops everything; fails if any container logged a Vert.x blocked-thread warning (nothing that can block
     * belongs on an event loop), read from the containers' logs before they go.
     */
    @Override
    public void close() {
        List<String> blocked = new ArrayList<>();
        for (GenericContainer<?> container : all) {
            if (container.isRunning()) {
                container
                        .getLogs()
                        .lines()
                        .filter(line -> line.contains("has been blocked for"))
                        .forEach(line -> blocked.add(container.getContainerName() + ": " + line));
            }
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).stop();
        }
        regions.values().forEach(Network::close);
        backbone.close();
        controls.forEach(Network::close);
        if (!blocked.isEmpty()) {
            throw new AssertionError(
                    "Vert.x blocked-thread warnings in the containers' logs:\n" + String.join("\n", blocked));
        }
    }
}
