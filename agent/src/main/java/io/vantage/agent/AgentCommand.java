package io.vantage.agent;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.runtime.Startup;
import io.vantage.wire.InvalidDocumentException;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;

/**
 * {@code vantage-agent --config agent.yaml} and {@code vantage-agent validate-config FILE}. The command line is read
 * here rather than by a parser library: picocli's classes are compiled for Java 5, so the AOT cache cannot hold them,
 * and reading them from the jar took about a quarter of a small agent's start (docs/benchmarks.md, "Agent
 * footprint").
 */
public final class AgentCommand {
    static final String VERSION = "vantage-agent 0.1.0";
    static final String USAGE = """
            Usage: vantage-agent --config FILE
                   vantage-agent validate-config FILE
            Probes HTTP(S), TCP, TLS and DNS endpoints, exposes Prometheus metrics, and pushes results to vantage
            aggregators.
              -c, --config FILE     the agent's config file (YAML)
              validate-config FILE  checks a config file (not its tokens); exits 0 if it is valid, 2 with the reason
                                    if not
              -h, --help            prints this and exits
              -V, --version         prints the version and exits
            """;

    private AgentCommand() {}

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args));
    }

    /** Runs the command line {@code args}; returns the exit code: 0 done, 2 a wrong command line or config. */
    public static int run(String... args) throws InterruptedException {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.print(USAGE);
                return 0;
            }
            if (arg.equals("-V") || arg.equals("--version")) {
                System.out.println(VERSION);
                return 0;
            }
        }
        if (args.length > 0 && args[0].equals("validate-config")) {
            return args.length == 2 ? validate(Path.of(args[1])) : usage("validate-config takes one FILE");
        }
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value;
            if (arg.equals("-c") || arg.equals("--config")) {
                if (++i == args.length) {
                    return usage(arg + " needs a FILE");
                }
                value = args[i];
            } else if (arg.startsWith("--config=")) {
                value = arg.substring("--config=".length());
            } else {
                return usage("unknown argument '" + arg + "'");
            }
            if (config != null) {
                return usage("--config is given twice");
            }
            config = Path.of(value);
        }
        return config == null ? usage("--config FILE is required (or use validate-config FILE)") : start(config);
    }

    private static int usage(String problem) {
        System.err.println("vantage-agent: " + problem + "; see --help");
        return 2;
    }

    private static int start(Path config) throws InterruptedException {
        String instance;
        try {
            instance = Instance.from(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("vantage-agent: " + e.getMessage());
            return 2;
        }
        ConfigLoader loader = new ConfigLoader(System.getenv());
        LoadedConfig loaded;
        try {
            loaded = loader.load(config);
        } catch (InvalidDocumentException e) {
            System.err.println("vantage-agent: invalid config " + config + ": " + e.getMessage());
            return 2;
        }
        PrometheusMeterRegistry registry = Startup.newRegistry();
        Vertx vertx = Startup.newVertx(registry);
        return Startup.runUntilStopped(
                vertx,
                () -> vertx.deployVerticle(new Agent(loaded, config, loader, registry, Clock.systemUTC(), instance))
                        .await());
    }

    private static int validate(Path file) {
        try {
            AgentConfig config = ConfigLoader.loadWithoutTokens(file);
            System.out.println(file + ": valid; " + config.targets().size() + " local targets, "
                    + (config.standalone()
                            ? "standalone"
                            : config.agent().aggregators().size()
                                    + " aggregators (their tokens are read when the agent starts)"));
            return 0;
        } catch (InvalidDocumentException e) {
            System.err.println(file + ": " + e.getMessage());
            return 2;
        }
    }
}
