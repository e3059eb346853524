package io.vantage.agent.probe;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One DNS question sent to one server, and its response: Netty's DNS codec on a channel of the calling Vert.x
 * context's own event loop, so nothing blocks and every callback runs on the probe loop. UDP uses a fresh socket per
 * question (a random source port and a random ID; only the server's answer with that ID is taken); TCP a fresh
 * connection (RFC 1035's two-byte length framing). Every record of every section is decoded into a {@link
 * ResourceRecord} at once, so nothing of Netty's reference-counted messages outlives the exchange.
 */
final class DnsExchange {
    /** A decoded response: the response code, whether it was cut to fit UDP (TC), and each section's records. */
    record Response(
            int rcode,
            boolean truncated,
            List<ResourceRecord> answer,
            List<ResourceRecord> authority,
            List<ResourceRecord> additional) {}

    private final VertxInternal vertx;

    DnsExchange(Vertx vertx) {
        this.vertx = (VertxInternal) vertx;
    }

    /**
     * Asks {@code server} for {@code type} records of {@code name}. Fails with a {@link TimeoutException} when no answer
     * comes within {@code timeoutMillis} (counted from now, the TCP connection included), or as the socket failed.
     * Over TCP the attempt enters {@link Phase#WAIT} once connected; the socket is closed when the exchange or the
     * attempt ends, whichever comes first.
     */
    Future<Response> ask(
            Attempt attempt,
            InetSocketAddress server,
            boolean tcp,
            String name,
            String type,
            boolean recursionDesired,
            int timeoutMillis) {
        ContextInternal context = vertx.getOrCreateContext();
        Promise<Response> promise = context.promise();
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        DefaultDnsQuestion question = new DefaultDnsQuestion(name, DnsRecordType.valueOf(type));
        Receiver receiver = new Receiver(promise, id, tcp ? null : server);
        Bootstrap bootstrap = new Bootstrap().group(context.nettyEventLoop());
        ChannelFuture opening;
        DnsQuery query;
        if (tcp) {
            bootstrap
                    .channelFactory(vertx.transport().channelFactory(false))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new TcpDnsQueryEncoder(), new TcpDnsResponseDecoder(), receiver);
                        }
                    });
            opening = bootstrap.connect(server);
            query = new DefaultDnsQuery(id);
        } else {
            InternetProtocolFamily family = server.getAddress() instanceof Inet6Address
                    ? InternetProtocolFamily.IPv6
                    : InternetProtocolFamily.IPv4;
            ChannelFactory<DatagramChannel> datagrams = () -> vertx.transport().datagramChannel(family);
            bootstrap.channelFactory(datagrams).handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    channel.pipeline()
                            .addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(), receiver);
                }
            });
            opening = bootstrap.bind(0);
            query = new DatagramDnsQuery(null, server, id);
        }
        query.setRecursionDesired(recursionDesired).setRecord(DnsSection.QUESTION, question);
        Channel channel = opening.channel();
        // Closed later, not while the attempt finishes: a pending write failing at once would complete this exchange,
        // and so the probe, in the middle of the runner's own timeout result.
        attempt.onFinish(() -> channel.eventLoop().execute(channel::close));
        ScheduledFuture<?> timer = context.nettyEventLoop()
                .schedule(
                        () -> promise.tryFail(new TimeoutException("no answer from " + server.getHostString() + ":"
                                + server.getPort() + " within " + timeoutMillis + "ms")),
                        timeoutMillis,
                        TimeUnit.MILLISECONDS);
        opening.addListener(opened -> {
            if (!opened.isSuccess()) {
                query.release();
                promise.tryFail(opened.cause());
                return;
            }
            if (tcp && !attempt.finished()) {
                attempt.enter(Phase.WAIT);
            }
            channel.writeAndFlush(query).addListener(sent -> {
                if (!sent.isSuccess()) {
                    promise.tryFail(sent.cause());
                }
            });
        });
        return promise.future().onComplete(done -> {
            timer.cancel(false);
            channel.close();
        });
    }

    /** Takes the first response that answers this question (its ID, and over UDP from the server asked). */
    private static final class Receiver extends SimpleChannelInboundHandler<DnsResponse> {
        private final Promise<Response> promise;
        private final int id;
        private final InetSocketAddress server;

        Receiver(Promise<Response> promise, int id, InetSocketAddress server) {
            this.promise = promise;
            this.id = id;
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, DnsResponse response) {
            if (response.id() != id
                    || response instanceof DatagramDnsResponse datagram
                            && !datagram.sender().equals(server)) {
                return; // not the answer to this question: a late or forged datagram
            }
            try {
                promise.tryComplete(new Response(
                        response.code().intValue(),
                        response.isTruncated(),
                        records(response, DnsSection.ANSWER),
                        records(response, DnsSection.AUTHORITY),
                        records(response, DnsSection.ADDITIONAL)));
            } catch (RuntimeException malformed) {
                promise.tryFail(malformed);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            promise.tryFail(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            promise.tryFail(new Failures.ServerClosed("the server closed the connection without answering"));
        }

        private static List<ResourceRecord> records(DnsResponse response, DnsSection section) {
            int count = response.count(section);
            List<ResourceRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                records.add(ResourceRecord.of(response.recordAt(section, i)));
            }
            return records;
        }
    }
}
