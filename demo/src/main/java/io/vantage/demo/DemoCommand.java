package io.vantage.demo;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.aggregator.AggregatorCommand;
import io.vantage.runtime.Help;
import io.vantage.runtime.Listening;
import io.vantage.runtime.Startup;
import io.vantage.testing.aws.LocalAwsBridge;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vantage-demo [--port 8080]}, {@code vantage-demo endpoint ...} and {@code vantage-demo local-aws-bridge ...}. */
@Command(
        name = "vantage-demo",
        mixinStandardHelpOptions = true,
        version = "vantage-demo 0.1.0",
        description =
                "Runs an aggregator, three agents and three breakable endpoints in one process (no AWS, no Docker).",
        subcommands = {DemoCommand.EndpointCommand.class, DemoCommand.LocalAwsBridgeCommand.class})
public final class DemoCommand implements Callable<Integer> {
    static final String PROGRAM = "vantage-demo";
    static final String USAGE = Help.of(
                    PROGRAM,
                    "Runs an aggregator, three agents and three breakable endpoints in one process (no AWS, no Docker).")
            .usage("[--port PORT]")
            .usage("COMMAND [OPTIONS]   (COMMAND --help for its options)")
            .command("endpoint", "serves one breakable endpoint (the docker-compose demo) (--region, --port)")
            .command("local-aws-bridge", "lets a local moto_server stand in for AWS (--moto host:port, --port)")
            .option("--port PORT", "the status page and API port on 127.0.0.1 (default 8080)")
            .option("-h, --help", "prints this and exits")
            .option("-V, --version", "prints the version and exits")
            .environment("VANTAGE_DEMO_PORT", "demo.sh's --port (default 8080)")
            .environment("VANTAGE_LOG_LEVEL", "the log level (default INFO)")
            .example("--port 8080")
            .example("endpoint --region eu-west-1 --port 8080")
            .render();

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "Status page and API port on 127.0.0.1 (default ${DEFAULT-VALUE}).")
    int port;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with {@link #USAGE} as its help (the layout every vantage program shares). */
    static CommandLine commandLine() {
        return AggregatorCommand.vantageStyle(new CommandLine(new DemoCommand()), USAGE);
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        Path directory = Files.createTempDirectory("vantage-demo");
        return Startup.runUntilStopped(
                vertx, () -> new Demo(directory).start(vertx, registry, port).await());
    }

    @Command(
            name = "endpoint",
            mixinStandardHelpOptions = true,
            description =
                    "Serves one breakable demo endpoint (for the multi-region docker-compose demo): GET anything for health, "
                            + "POST /control/break, /control/slow or /control/repair to change it.")
    static final class EndpointCommand implements Callable<Integer> {
        @Option(names = "--region", required = true, description = "Region name it reports.")
        String region;

        @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}).")
        int port;

        @Override
        public Integer call() throws InterruptedException {
            Vertx vertx = Vertx.vertx();
            return Startup.runUntilStopped(
                    vertx,
                    () -> Listening.explained(
                                    new DemoEndpoint(region).start(vertx, "0.0.0.0", port), "0.0.0.0", port, "--port")
                            .await());
        }
    }

    @Command(
            name = "local-aws-bridge",
            mixinStandardHelpOptions = true,
            description =
                    "Translates the SDK's CloudWatch protocol (Smithy RPC v2 CBOR) to the JSON protocol moto_server speaks, "
                            + "and passes Route 53 through, so a local moto can stand in for AWS (docker-compose demo).")
    static final class LocalAwsBridgeCommand implements Callable<Integer> {
        @Option(names = "--moto", required = true, description = "moto_server as host:port, e.g. aws:5000.")
        String moto;

        @Option(names = "--port", defaultValue = "4566", description = "Port to listen on (default ${DEFAULT-VALUE}).")
        int port;

        @Option(
                names = "--host",
                defaultValue = "127.0.0.1",
                description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 in a container).")
        String host;

        @Option(
                names = "--route53-stand-in",
                paramLabel = "AGGREGATOR_YAML",
                description = "Also evaluate the alarms on the Healthy datums passing through, with this aggregator "
                        + "config's alarm settings on the demo's 6 s periods, and move the demo's latency record as "
                        + "Route 53 would (moto never evaluates an alarm); its view is served on --stand-in-port.")
        Path standInConfig;

        @Option(
                names = "--stand-in-port",
                defaultValue = "8080",
                description = "Port of the Route 53 stand-in's view, JSON (default ${DEFAULT-VALUE}).")
        int standInPort;

        @Override
        public Integer call() throws InterruptedException {
            int colon = moto.lastIndexOf(':');
            if (colon <= 0) {
                System.err.println("vantage-demo local-aws-bridge: --moto must be host:port, got '" + moto + "'");
                return 2;
            }
            Vertx vertx = Vertx.vertx();
            return Startup.runUntilStopped(vertx, () -> {
                LocalAwsBridge bridge = Listening.explained(
                                LocalAwsBridge.start(
                                        vertx,
                                        host,
                                        port,
                                        moto.substring(0, colon),
                                        Integer.parseInt(moto.substring(colon + 1))),
                                host,
                                port,
                                "--port and --host")
                        .await();
                if (standInConfig != null) {
                    Listening.explained(
                                    ComposeRoute53.start(vertx, bridge, standInConfig, host, standInPort),
                                    host,
                                    standInPort,
                                    "--stand-in-port")
                            .await();
                }
                System.out.println("vantage-demo local-aws-bridge: listening on " + host + ":" + port
                        + ", translating for moto_server at " + moto);
            });
        }
    }
}
