package io.vantage.aggregator.reconcile;

import java.util.List;

/** One difference between AWS and the config, and what apply does about it. */
public record Difference(Resource resource, Action action, String name, String target, List<String> details) {
    public enum Resource {
        ALARM("alarm"),
        HEALTH_CHECK("health check"),
        RECORD("record");

        private final String label;

        Resource(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public enum Action {
        CREATE("+"),
        UPDATE("~"),
        DELETE("-"),
        /** A resource with the wanted name exists but is not vantage's: reported, never touched. */
        CONFLICT("!"),
        /** The config cannot be applied as it stands (a bound record that does not exist): apply refuses to start. */
        ERROR("x");

        private final String symbol;

        Action(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public Difference {
        details = List.copyOf(details);
    }

    public String describe() {
        String line = "  " + action.symbol() + " " + resource.label() + " " + name;
        return details.isEmpty() ? line : line + ": " + String.join("; ", details);
    }
}
