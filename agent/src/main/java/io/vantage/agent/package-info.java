/**
 * The probe agent: {@link io.vantage.agent.AgentCommand} (the command line) starts an
 * {@link io.vantage.agent.Agent}, which wires config, scheduling, probing, metrics and reporting together
 * on one Vert.x context.
 */
package io.vantage.agent;
