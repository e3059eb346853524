package io.vantage.agent;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vantage.agent.config.AgentConfig;
import io.vantage.agent.config.ConfigLoader;
import io.vantage.agent.config.LoadedConfig;
import io.vantage.agent.exporter.ProbeModules;
import io.vantage.runtime.Help;
import io.vantage.runtime.Startup;
import io.vantage.wire.InvalidDocumentException;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;

/**
 * {@code vantage-agent --config agent.yaml} and {@code vantage-agent validate-config --config FILE}. The command line is
 * read here rather than by a parser library: picocli's classes are compiled for Java 5, so the AOT cache cannot hold
 * them, and reading them from the jar took about a quarter of a small agent's start (docs/benchmarks.md, "Agent
 * footprint").
 */
public final class AgentCommand {
    static final String PROGRAM = "vantage-agent";
    static final String VERSION = PROGRAM + " 0.1.0";
    static final String VALIDATE = "validate-config";
    static final String USAGE = Help.of(
                    PROGRAM,
                    "Probes HTTP(S), TCP, TLS and DNS endpoints, exposes Prometheus metrics, and pushes results to "
                            + "vantage aggregators (or runs standalone on its own targets).")
            .usage("--config FILE")
            .usage("COMMAND --config FILE")
            .command(VALIDATE, "checks a config file (not its tokens): exit 0 if valid, 2 with the reason if not")
            .option("-c, --config FILE", "the agent's config file (YAML); reloaded when it changes")
            .option("-h, --help", "prints this and exits")
            .option("-V, --version", "prints the version and exits")
            .environment(ConfigLoader.ENV_AGENT_ID, "agent.id when the file has none (default: the host name)")
            .environment(ConfigLoader.ENV_REGION, "agent.region when the file has none (default: local)")
            .environment(Instance.ENV, "this member's name among an agent's members (default: random)")
            .environment("VANTAGE_LOG_LEVEL", "the log level (default INFO)")
            .environment("VANTAGE_HEAP", "the launcher's heap bound, e.g. 256m (default: half the memory)")
            .example("--config examples/agent-standalone.yaml")
            .example(VALIDATE + " --config examples/agent-with-aggregators.yaml")
            .render();

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
        boolean validate = args.length > 0 && args[0].equals(VALIDATE);
        if (args.length > 0 && !validate && !args[0].startsWith("-")) {
            return usage("unknown command '" + args[0] + "'; the command is " + VALIDATE);
        }
        Path config = null;
        for (int i = validate ? 1 : 0; i < args.length; i++) {
            String arg = args[i];
            String value;
            if (arg.equals("-c") || arg.equals("--config")) {
                if (++i == args.length) {
                    return usage(arg + " needs a FILE");
                }
                value = args[i];
            } else if (arg.startsWith("--config=")) {
                value = arg.substring("--config=".length());
            } else if (validate && !arg.startsWith("-") && config == null) {
                System.err.println(Help.oldSpelling(PROGRAM, VALIDATE));
                value = arg;
            } else {
                return usage("unknown argument '" + arg + "'");
            }
            if (config != null) {
                return usage("--config is given twice");
            }
            config = Path.of(value);
        }
        if (config == null) {
            return usage(validate ? VALIDATE + " needs --config FILE" : "--config FILE is required");
        }
        return validate ? validate(config) : start(config);
    }

    private static int usage(String problem) {
        System.err.println(PROGRAM + ": " + problem + "; see --help");
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
            ProbeModules offered =
                    ProbeModules.load(config.probe(), file.toAbsolutePath().getParent());
            System.out.println(file + ": valid; " + config.targets().size() + " local targets, "
                    + (config.standalone()
                            ? "standalone"
                            : config.agent().aggregators().size()
                                    + " aggregators (their tokens are read when the agent starts)")
                    + (offered.modules().isEmpty()
                            ? ""
                            : "; /probe modules: " + offered.modules().size()));
            offered.refused().forEach(refusal -> System.out.println("  refused: " + refusal));
            offered.notes().forEach(note -> System.out.println("  note: " + note));
            return 0;
        } catch (InvalidDocumentException e) {
            System.err.println(file + ": " + e.getMessage());
            return 2;
        }
    }
}
