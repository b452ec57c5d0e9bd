package dev.turnout.serving;

import dev.turnout.config.TurnoutConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Warms the whole request path before readiness turns UP: once the initial load is done, every active model gets
 * {@code turnout.serving.warmup.requests} predictions of zeros over loopback through the real HTTP stack (OIP v2, and
 * {@code /predict} for the default model), so the JIT has compiled HTTP, JSON, validation and engine code before the
 * first client request. A freshly started JVM otherwise serves a fraction of its steady throughput for its first
 * seconds under load. Each form goes on until its answers stop getting faster and the JIT is quiet, bounded by its
 * share of {@code timeout} for all models together ({@link WarmupBudget}); readiness turns UP when it ends, whatever
 * the answers were (a replica never stays out of service because its warm-up could not run).
 */
@ApplicationScoped
public class RequestPathWarmup {

    private static final Logger LOG = Logger.getLogger(RequestPathWarmup.class);
    /** How long the warm-up waits for the HTTP port to accept connections. */
    private static final Duration LISTEN_WAIT = Duration.ofSeconds(30);
    /** Throughput and JIT time are sampled per window; the warm-up of a form ends at a {@link WarmupPlateau}. */
    private static final Duration PLATEAU_WINDOW = Duration.ofMillis(500);

    /** Where the warm-up is: the only transitions are WAITING -> RUNNING -> DONE. */
    public enum Phase { WAITING, RUNNING, DONE }

    /** What one form of one model's warm-up did. */
    public record FormResult(String model, int version, String form, int answered, int failed, long millis,
                             String problem) {
        @Override
        public String toString() {
            return "version " + version + " " + form + ": " + answered + " answered 200 in " + millis + " ms"
                    + (failed > 0 ? ", " + failed + " failed (" + problem + ")" : "");
        }
    }

    private final ModelServer server;
    private final TurnoutConfig.Serving.Warmup config;
    private final Optional<String> defaultModel;
    private final ValueRegistry values;
    private final Vertx vertx;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.WAITING);
    private volatile String detail = "waiting for the initial load";
    private final List<FormResult> results = new CopyOnWriteArrayList<>();

    public RequestPathWarmup(ModelServer server, TurnoutConfig config, ValueRegistry values, Vertx vertx) {
        this.server = server;
        this.config = config.serving().warmup();
        this.defaultModel = config.serving().defaultModel();
        this.values = values;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            done("off (turnout.serving.warmup.enabled=false)");
            return;
        }
        server.whenInitialLoadDone().thenRun(() -> {
            Thread thread = new Thread(this::run, "turnout-warmup");
            thread.setDaemon(true);
            thread.start();
        });
    }

    public Phase phase() {
        return phase.get();
    }

    /** Whether readiness may turn UP as far as the warm-up is concerned. */
    public boolean done() {
        return phase.get() == Phase.DONE;
    }

    public String detail() {
        return detail;
    }

    /** What the warm-up did per model, e.g. {@code linear -> version 1 OIP v2: 6000 answered 200 in 900 ms; ...}. */
    public Map<String, String> results() {
        Map<String, String> byModel = new TreeMap<>();
        results.forEach(r -> byModel.merge(r.model(), r.toString(), (a, b) -> a + "; " + b));
        return byModel;
    }

    /** The warm-up's results as records (tests, logs). */
    public List<FormResult> formResults() {
        return List.copyOf(results);
    }

    private void run() {
        phase.set(Phase.RUNNING);
        Instant start = Instant.now();
        Instant deadline = start.plus(config.timeout());
        HttpClient client = null;
        try {
            Map<String, Integer> serving = server.serving();
            if (serving.isEmpty()) {
                done("no active model");
                return;
            }
            InetSocketAddress api = awaitListening(start.plus(LISTEN_WAIT));
            // Vert.x' own client: cheap per request, so the server's code, not the client's, gets the CPU
            client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(api.getHostString())
                    .setDefaultPort(api.getPort()).setKeepAlive(true)
                    .setMaxPoolSize(Math.max(1, config.connections())));
            List<Form> forms = new ArrayList<>();
            for (String name : serving.keySet()) {
                Optional<ServedModel> served = server.servedActive(name);
                if (served.isEmpty()) {
                    continue;
                }
                int version = served.get().version();
                String path = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
                WarmupBodies.oip(served.get().signature()).ifPresent(body -> forms.add(
                        new Form(name, version, "OIP v2", "/v2/models/" + path + "/infer", body)));
                Optional<String> simple = WarmupBodies.simple(served.get().signature());
                if (simple.isPresent() && defaultModel.filter(name::equals).isPresent()) {
                    forms.add(new Form(name, version, "/predict", "/predict", simple.get()));
                }
            }
            WarmupBudget budget = new WarmupBudget(deadline, forms.size());
            for (Form form : forms) {
                detail = "warming " + form.model() + " version " + form.version();
                warm(client, form, budget.nextForm(Instant.now()));
            }
            long millis = Duration.between(start, Instant.now()).toMillis();
            boolean late = Instant.now().isAfter(deadline);
            done((late ? "stopped at the timeout (" + config.timeout() + ")" : "done") + " after " + millis + " ms");
            LOG.infof("Request-path warm-up %s: %s", detail, results());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done("interrupted");
        } catch (RuntimeException | IOException e) {
            LOG.warnf("The request-path warm-up could not run (%s); ready without it", e.toString());
            done("could not run: " + e);
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    /**
     * Predictions, {@code config.connections()} at a time (each connection sends its next request when the answer to
     * the last one came): at least {@code config.requests()}, then on until they come no faster (a plateau), or
     * {@code config.maxRequests()} were sent, or the deadline, or the first answer that is not 200.
     */
    private void warm(HttpClient client, Form form, Instant deadline) throws InterruptedException {
        Buffer payload = Buffer.buffer(form.body());
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(form.uri())
                .putHeader("Content-Type", "application/json").setTimeout(10_000);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> problem = new AtomicReference<>();
        AtomicBoolean plateau = new AtomicBoolean();
        int lanes = Math.max(1, config.connections());
        CountDownLatch finished = new CountDownLatch(lanes);
        Instant start = Instant.now();
        for (int i = 0; i < lanes; i++) {
            new Lane(client, request, payload, () -> problem.get() == null && !plateau.get()
                    && Instant.now().isBefore(deadline) && next.getAndIncrement() < config.maxRequests(), status -> {
                if (status == 200) {
                    answered.incrementAndGet();
                } else { // zeros refused, a token required...: the same answer every time, so stop
                    failed.incrementAndGet();
                    problem.compareAndSet(null, "HTTP " + status);
                }
            }, error -> {
                failed.incrementAndGet();
                problem.compareAndSet(null, error.toString());
            }, finished::countDown).send();
        }
        // Past the minimum, go on while the answers still come faster or the JIT still compiles.
        WarmupPlateau warmed = new WarmupPlateau(PLATEAU_WINDOW.toMillis());
        int before = 0;
        long compiledBefore = jitMillis();
        while (!finished.await(PLATEAU_WINDOW.toMillis(), TimeUnit.MILLISECONDS)) {
            int now = answered.get();
            int rate = now - before;
            before = now;
            long compiled = jitMillis();
            boolean flat = warmed.window(rate, compiled - compiledBefore);
            LOG.debugf("Request-path warm-up of %s %s: %d answers, JIT %d ms in %d ms", form.model(), form.name(), rate,
                    compiled - compiledBefore, PLATEAU_WINDOW.toMillis());
            compiledBefore = compiled;
            if (flat && now >= config.requests()) {
                plateau.set(true);
            }
            if (Instant.now().isAfter(deadline.plusSeconds(10))) { // + one request's timeout
                problem.compareAndSet(null, "answers still missing at the timeout");
                break;
            }
        }
        FormResult result = new FormResult(form.model(), form.version(), form.name(), answered.get(), failed.get(),
                Duration.between(start, Instant.now()).toMillis(), problem.get());
        results.add(result);
        if (result.failed() > 0) {
            LOG.warnf("Request-path warm-up of %s %s: %s", form.model(), form.name(), result);
        }
    }

    /** Milliseconds the JIT compilers have spent so far (0 where the JVM does not count them: never "busy" then). */
    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** One form of one model's warm-up: the path it posts {@code body} to. */
    private record Form(String model, int version, String name, String uri, String body) {
    }

    /** One connection's sequence of requests: the next one goes when the last one's answer is read. */
    private record Lane(HttpClient client, RequestOptions request, Buffer payload, BooleanSupplier more,
                        IntConsumer answered, Consumer<Throwable> failed, Runnable finished) {
        void send() {
            if (!more.getAsBoolean()) {
                finished.run();
                return;
            }
            client.request(request)
                    .compose(req -> req.send(payload))
                    .compose(response -> response.body().map(ignored -> response.statusCode()))
                    .onComplete(outcome -> {
                        if (outcome.succeeded()) {
                            answered.accept(outcome.result());
                        } else {
                            failed.accept(outcome.cause());
                        }
                        send();
                    });
        }
    }

    /**
     * The API address once the HTTP server listens there. The initial load can finish before the server has even bound
     * its port (-1 until then; a test's port 0 is known only once bound), and before it accepts connections: wait for
     * both, until {@code until}.
     */
    private InetSocketAddress awaitListening(Instant until) throws IOException, InterruptedException {
        while (true) {
            int port = values.get(HttpServer.HTTP_SERVER).getPort();
            if (port > 0) {
                InetSocketAddress api = apiAddress(port);
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(api.getHostString(), api.getPort()), 2000);
                    return api;
                } catch (ConnectException e) {
                    if (Instant.now().isAfter(until)) {
                        throw e;
                    }
                }
            } else if (Instant.now().isAfter(until)) {
                throw new ConnectException("the HTTP server has not bound its port");
            }
            Thread.sleep(50);
        }
    }

    /** The API address on {@code port}, on loopback unless the server listens on one address. */
    private static InetSocketAddress apiAddress(int port) {
        String host = ConfigProvider.getConfig().getOptionalValue("quarkus.http.host", String.class).orElse("localhost");
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("localhost")) {
            host = "127.0.0.1";
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    private void done(String why) {
        detail = why;
        phase.set(Phase.DONE);
    }
}
