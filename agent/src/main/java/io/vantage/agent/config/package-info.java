/**
 * The agent's config file: records that validate themselves, a loader that reads tokens and turns every
 * problem into a message naming the key, and the watcher that reloads on file change and SIGHUP.
 */
package io.vantage.agent.config;
