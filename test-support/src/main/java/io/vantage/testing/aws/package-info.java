/**
 * AWS for tests and the docker-compose demo: a real {@code moto_server} ({@link io.vantage.testing.aws.MotoServer})
 * behind {@link io.vantage.testing.aws.LocalAwsBridge}, which translates the SDK's CloudWatch protocol (Smithy RPC v2
 * CBOR) to the JSON protocol moto speaks and records every request. The demo jar ships the bridge; no production jar does.
 */
package io.vantage.testing.aws;
