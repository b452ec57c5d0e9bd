package dev.turnout.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the manifests `package` generated for both colours and checks what production needs of them. */
class KubernetesManifestsIT {

    static final KubernetesSerialization YAML = new KubernetesSerialization();

    static List<HasMetadata> manifests(String colour) throws IOException {
        Path file = Path.of("target/kubernetes", colour, "kubernetes.yml");
        assertTrue(Files.isRegularFile(file), "`./mvnw package` writes " + file);
        Object parsed = YAML.unmarshal(Files.readString(file));
        if (parsed instanceof List<?> documents) { // a multi-document YAML file
            return documents.stream().map(HasMetadata.class::cast).toList();
        }
        return parsed instanceof KubernetesList list ? list.getItems() : List.of((HasMetadata) parsed);
    }

    static <T extends HasMetadata> T one(List<HasMetadata> resources, Class<T> kind) {
        List<T> matches = resources.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertEquals(1, matches.size(), "one " + kind.getSimpleName());
        return matches.get(0);
    }

    static Map<String, String> podLabels(String colour) throws IOException {
        return one(manifests(colour), Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
    }

    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue", "green"})
    void probesUseTheManagementInterface(String colour) throws IOException {
        Deployment deployment = one(manifests(colour), Deployment.class);
        assertEquals("turnout-" + colour, deployment.getMetadata().getName());
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        int management = container.getPorts().stream().filter(p -> "management".equals(p.getName())).findFirst()
                .orElseThrow().getContainerPort();
        assertEquals(9000, management);
        check(container.getLivenessProbe(), "/q/health/live", management);
        check(container.getReadinessProbe(), "/q/health/ready", management);
        check(container.getStartupProbe(), "/q/health/started", management);
        Duration startupBudget = Duration.ofSeconds((long) container.getStartupProbe().getPeriodSeconds()
                * container.getStartupProbe().getFailureThreshold());
        assertTrue(startupBudget.toMinutes() >= 10, "large models may take minutes to load: " + startupBudget);
        assertEquals("/q/metrics", deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/path"));
        assertEquals("9000", deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/port"));
    }

    private static void check(Probe probe, String path, int port) {
        assertNotNull(probe, path);
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals(port, probe.getHttpGet().getPort().getIntVal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue", "green"})
    void resourcesSecurityAndVolumes(String colour) throws IOException {
        Deployment deployment = one(manifests(colour), Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertNotNull(container.getResources().getRequests().get("cpu"));
        assertNotNull(container.getResources().getRequests().get("memory"));
        assertNotNull(container.getResources().getLimits().get("memory"));
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
        for (String path : List.of("/work/data", "/tmp")) {
            String volume = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path))
                    .findFirst().orElseThrow(() -> new AssertionError("no volume at " + path)).getName();
            assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(volume)).findFirst().orElseThrow()
                    .getEmptyDir(), path + " is an emptyDir");
        }
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
        // IntOrString: quarkus-kubernetes writes "0"
        assertEquals("0", String.valueOf(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getValue()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue", "green"})
    void secretsComeFromTheClusterNotTheManifests(String colour) throws IOException {
        Container container = one(manifests(colour), Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertTrue(container.getEnvFrom().stream().map(EnvFromSource::getSecretRef).anyMatch(ref -> ref != null
                && "turnout-db".equals(ref.getName())));
        assertTrue(container.getEnv().stream().noneMatch(env -> env.getName().contains("PASSWORD")
                || env.getName().contains("JDBC_URL") || env.getName().contains("TOKEN")));
        String text = Files.readString(Path.of("target/kubernetes", colour, "kubernetes.yml"));
        assertFalse(text.contains("kind: Secret"), "no Secret is generated");
        assertFalse(text.contains("kind: Job"), "Flyway migrates in the pods, not in a Job the colours would share");
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue", "green"})
    void theGracePeriodOutlastsTheShutdownDelayAndTimeout(String colour) throws IOException {
        PodSpec pod = one(manifests(colour), Deployment.class).getSpec().getTemplate().getSpec();
        Properties config = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            config.load(in);
        }
        long delay = seconds(config.getProperty("quarkus.shutdown.delay"));
        long timeout = seconds(config.getProperty("quarkus.shutdown.timeout"));
        assertTrue(pod.getTerminationGracePeriodSeconds() > delay + timeout,
                "grace " + pod.getTerminationGracePeriodSeconds() + "s > delay " + delay + "s + timeout " + timeout + "s");
    }

    private static long seconds(String value) {
        return Long.parseLong(value.replace("s", ""));
    }

    @Test
    void eachServiceSelectsThePodsOfExactlyOneColour() throws IOException {
        Map<String, String> blue = podLabels("blue");
        Map<String, String> green = podLabels("green");
        for (String colour : List.of("blue", "green")) {
            Map<String, String> selector = one(manifests(colour), Service.class).getSpec().getSelector();
            assertEquals(colour.equals("blue"), selects(selector, blue), colour + " Service vs blue pods");
            assertEquals(colour.equals("green"), selects(selector, green), colour + " Service vs green pods");
        }
        Service live = YAML.unmarshal(Files.readString(Path.of("deploy/turnout-live-service.yml")), Service.class);
        assertTrue(selects(live.getSpec().getSelector(), blue) ^ selects(live.getSpec().getSelector(), green),
                "the live Service selects exactly one colour");
        assertEquals("http", live.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertTrue(one(manifests("blue"), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getPorts().stream().anyMatch(p -> "http".equals(p.getName())), "the live Service's target port exists");
    }
}
