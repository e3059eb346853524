/** Every metric the agent exposes: names in base units in one place, labels bounded by config and enums. */
package io.vantage.agent.metrics;
