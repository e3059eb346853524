package io.vantage.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/**
 * The memory floor under the agent, for {@link FootprintBenchmark}: {@code sleep} is a JVM that does nothing; {@code
 * vertx} is Vert.x with an HTTP server on 127.0.0.1:{@code PORT} and an HTTP client sending one request a second to
 * 127.0.0.1:{@code TARGET_PORT}, nothing else. Usage: {@code Floor sleep|vertx PORT TARGET_PORT}; runs until killed.
 */
public final class Floor {
    private Floor() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("vertx")) {
            int port = Integer.parseInt(args[1]);
            int target = Integer.parseInt(args[2]);
            Vertx vertx = Vertx.vertx();
            vertx.createHttpServer()
                    .requestHandler(request -> request.response().end("ok\n"))
                    .listen(port, "127.0.0.1")
                    .await();
            var client = vertx.createHttpClient();
            vertx.setPeriodic(
                    1_000,
                    tick -> client.request(HttpMethod.GET, target, "127.0.0.1", "/floor")
                            .compose(request -> request.send())
                            .onComplete(response -> {}));
            System.out.println("floor: vertx serving on " + port);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
