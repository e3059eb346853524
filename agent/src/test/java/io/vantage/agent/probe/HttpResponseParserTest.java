package io.vantage.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The response parser as a table. Every response is fed whole, one byte at a time, and split in two at every
 * position: the outcome must not depend on how the network fragments it.
 */
class HttpResponseParserTest {
    /** One case: the bytes, whether it is a HEAD request, and what must come out. */
    record Case(
            String name,
            String response,
            boolean head,
            int maxBody,
            boolean completeBeforeClose,
            int status,
            String body,
            boolean reusable) {}

    static Stream<Arguments> cases() {
        return Stream.of(
                        new Case(
                                "content-length body",
                                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                                false,
                                100,
                                true,
                                200,
                                "hello",
                                true),
                        new Case(
                                "chunked with extensions and trailers",
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
                                false,
                                100,
                                true,
                                200,
                                "hello world",
                                true),
                        new Case(
                                "HEAD: headers only, whatever Content-Length says",
                                "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
                                true,
                                100,
                                true,
                                200,
                                "",
                                true),
                        new Case("204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", false, 100, true, 204, "", true),
                        new Case(
                                "304 has no body",
                                "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
                                false,
                                100,
                                true,
                                304,
                                "",
                                true),
                        new Case(
                                "interim 100 Continue, then the response",
                                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                                false,
                                100,
                                true,
                                200,
                                "ok",
                                true),
                        new Case(
                                "HTTP/1.0 body delimited by the close",
                                "HTTP/1.0 200 OK\r\n\r\nuntil the end",
                                false,
                                100,
                                false,
                                200,
                                "until the end",
                                false),
                        new Case(
                                "Connection: close is not reusable",
                                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
                                false,
                                100,
                                true,
                                200,
                                "ok",
                                false),
                        new Case(
                                "body cut at maxBodyBytes",
                                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789",
                                false,
                                4,
                                true,
                                200,
                                "0123",
                                false),
                        new Case(
                                "bare LF line endings",
                                "HTTP/1.1 503 Busy\nContent-Length: 4\n\nbusy",
                                false,
                                100,
                                true,
                                503,
                                "busy",
                                true))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyFragmentationGivesTheSameResult(Case c) {
        byte[] bytes = c.response().getBytes(StandardCharsets.ISO_8859_1);
        List<List<Buffer>> feeds = new ArrayList<>();
        feeds.add(List.of(Buffer.buffer(bytes)));
        List<Buffer> oneByOne = new ArrayList<>();
        for (byte b : bytes) {
            oneByOne.add(Buffer.buffer(new byte[] {b}));
        }
        feeds.add(oneByOne);
        for (int split = 1; split < bytes.length; split++) {
            feeds.add(List.of(
                    Buffer.buffer(bytes).slice(0, split), Buffer.buffer(bytes).slice(split, bytes.length)));
        }
        for (List<Buffer> feed : feeds) {
            HttpResponseParser parser = new HttpResponseParser(c.maxBody(), c.head());
            boolean complete = false;
            for (Buffer fragment : feed) {
                complete = parser.feed(fragment);
            }
            String as = c.name() + " in " + feed.size() + " fragments";
            assertThat(complete).as(as).isEqualTo(c.completeBeforeClose());
            if (!complete) {
                assertThat(parser.closed()).as(as + ": complete at the close").isTrue();
            }
            assertThat(parser.status()).as(as).isEqualTo(c.status());
            assertThat(parser.body()).as(as).isEqualTo(c.body());
            assertThat(parser.reusable()).as(as).isEqualTo(c.reusable());
        }
    }

    @Test
    void fourteenThousandOneByteChunksAreAValidResponse() {
        StringBuilder response = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        response.append("1\r\nx\r\n".repeat(14_000)).append("0\r\n\r\n");
        HttpResponseParser parser = new HttpResponseParser(64 * 1024, false);

        assertThat(parser.feed(Buffer.buffer(response.toString()))).isTrue();
        assertThat(parser.body()).hasSize(14_000);
    }

    @Test
    void protocolErrorsAreReportedAsSuch() {
        for (String bad : List.of(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "SSH-2.0-OpenSSH_9.2\r\n",
                "HTTP/1.1 2000 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(70_000) + "\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "1".repeat(10_000) + "\r\n")) {
            HttpResponseParser parser = new HttpResponseParser(1024, false);
            assertThatThrownBy(() -> parser.feed(Buffer.buffer(bad)))
                    .as(bad.length() > 60 ? bad.substring(0, 60) : bad)
                    .isInstanceOf(HttpResponseParser.ProtocolException.class);
        }
    }
}
