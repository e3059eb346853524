/**
 * What a probe's answer must satisfy, judged apart from the protocol that fetched it: {@link
 * io.vantage.agent.check.Checks} holds the pure validators (HTTP status, body contains / regex / JSON pointer, latency,
 * DNS answers), each giving a {@link io.vantage.agent.check.Mismatch} (reason and message) or null, and the one cache of
 * compiled patterns they share. Probers fetch; checks judge.
 */
package io.vantage.agent.check;
