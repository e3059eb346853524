/**
 * Target specifications: what to probe and how, identical in an agent's standalone file, the
 * aggregator's config and the {@code GET /v1/targets} body. {@link io.vantage.wire.target.ProbeSpec} is
 * sealed and visited, so a new protocol does not compile until every prober handles it.
 */
package io.vantage.wire.target;
