package io.vantage.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/3 server on 127.0.0.1 (UDP), for HTTP/3 probe tests and benchmarks: Netty's HTTP/3 codec on its QUIC
 * codec, with a {@link TestPki} certificate, answering every request with the status and body set by {@link
 * #respond}, and remembering the last request's headers. {@link #silent()} is a UDP port that never answers.
 */
public final class TestHttp3Server implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;
    private final DatagramSocket silentSocket;
    private final int port;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;
    private volatile byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
    private volatile Map<String, String> lastRequest = Map.of();

    private TestHttp3Server(TestPki.Leaf leaf) throws Exception {
        QuicSslContext context = QuicSslContextBuilder.forServer(
                        leaf.keyFile().toFile(), null, leaf.certFile().toFile())
                .applicationProtocols(Http3.supportedApplicationProtocols())
                .build();
        ChannelHandler codec = Http3.newQuicServerCodecBuilder()
                .sslContext(context)
                .maxIdleTimeout(10, TimeUnit.SECONDS)
                .initialMaxData(10_000_000)
                .initialMaxStreamDataBidirectionalLocal(1_000_000)
                .initialMaxStreamDataBidirectionalRemote(1_000_000)
                .initialMaxStreamsBidirectional(100)
                .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel connection) {
                        connection
                                .pipeline()
                                .addLast(new Http3ServerConnectionHandler(new ChannelInitializer<QuicStreamChannel>() {
                                    @Override
                                    protected void initChannel(QuicStreamChannel stream) {
                                        stream.pipeline().addLast(new Responder());
                                    }
                                }));
                    }
                })
                .build();
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.channel = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(codec)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        this.silentSocket = null;
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private TestHttp3Server() throws Exception {
        this.group = null;
        this.channel = null;
        this.silentSocket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.port = silentSocket.getLocalPort();
    }

    /** An HTTP/3 server presenting {@code leaf}, answering 200 "ok" until told otherwise. */
    public static TestHttp3Server start(TestPki.Leaf leaf) throws Exception {
        return new TestHttp3Server(leaf);
    }

    /** A bound UDP port that reads nothing and answers nothing: a QUIC server that never responds. */
    public static TestHttp3Server silent() throws Exception {
        return new TestHttp3Server();
    }

    /** Answers every request from now on with {@code status} and {@code body}. */
    public TestHttp3Server respond(int status, String body) {
        this.status = status;
        this.body = body.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public int port() {
        return port;
    }

    /** {@code https://host:port/path}: the server's address for a probe's url. */
    public String url(String host, String path) {
        return "https://" + host + ":" + port + path;
    }

    /** Requests answered so far. */
    public int requests() {
        return requests.get();
    }

    /** The last request's header fields (pseudo-headers such as {@code :authority} included), by name. */
    public Map<String, String> lastRequest() {
        return lastRequest;
    }

    @Override
    public void close() {
        if (silentSocket != null) {
            silentSocket.close();
            return;
        }
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One request stream: remembers the request's head, answers once the request is complete. */
    private final class Responder extends Http3RequestStreamInboundHandler {
        @Override
        protected void channelRead(ChannelHandlerContext context, Http3HeadersFrame frame) {
            Map<String, String> head = new TreeMap<>();
            frame.headers()
                    .forEach(entry ->
                            head.put(entry.getKey().toString(), entry.getValue().toString()));
            lastRequest = head;
            ReferenceCountUtil.release(frame);
        }

        @Override
        protected void channelRead(ChannelHandlerContext context, Http3DataFrame frame) {
            ReferenceCountUtil.release(frame);
        }

        @Override
        protected void channelInputClosed(ChannelHandlerContext context) {
            requests.incrementAndGet();
            byte[] content = body;
            Http3HeadersFrame head = new DefaultHttp3HeadersFrame();
            head.headers().status(String.valueOf(status)).add("content-length", String.valueOf(content.length));
            context.write(head);
            context.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(content)))
                    .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
        }
    }
}
