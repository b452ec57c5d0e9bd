package dev.turnout.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
        return parse(file);
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

    /** The {@code kind/name} of every Secret and ConfigMap the pod needs to start (a missing one keeps it pending). */
    static Set<String> referencedSecretsAndConfigMaps(PodSpec pod) {
        Set<String> references = new TreeSet<>();
        List<Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        for (Container container : containers) {
            for (EnvFromSource from : Objects.requireNonNullElse(container.getEnvFrom(), List.<EnvFromSource>of())) {
                if (from.getSecretRef() != null) {
                    references.add("Secret/" + from.getSecretRef().getName());
                }
                if (from.getConfigMapRef() != null) {
                    references.add("ConfigMap/" + from.getConfigMapRef().getName());
                }
            }
            for (EnvVar env : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
                EnvVarSource from = env.getValueFrom();
                if (from != null && from.getSecretKeyRef() != null) {
                    references.add("Secret/" + from.getSecretKeyRef().getName());
                }
                if (from != null && from.getConfigMapKeyRef() != null) {
                    references.add("ConfigMap/" + from.getConfigMapKeyRef().getName());
                }
            }
        }
        for (Volume volume : Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of())) {
            if (volume.getSecret() != null) {
                references.add("Secret/" + volume.getSecret().getSecretName());
            }
            if (volume.getConfigMap() != null) {
                references.add("ConfigMap/" + volume.getConfigMap().getName());
            }
            if (volume.getProjected() != null) {
                for (VolumeProjection source : volume.getProjected().getSources()) {
                    if (source.getSecret() != null) {
                        references.add("Secret/" + source.getSecret().getName());
                    }
                    if (source.getConfigMap() != null) {
                        references.add("ConfigMap/" + source.getConfigMap().getName());
                    }
                }
            }
        }
        for (LocalObjectReference pull : Objects.requireNonNullElse(pod.getImagePullSecrets(), List.<LocalObjectReference>of())) {
            references.add("Secret/" + pull.getName());
        }
        return references;
    }

    /** The README's blue/green recipe: the first bash block after its heading. */
    static List<String> blueGreenSteps() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int heading = readme.indexOf("### Blue/green deployment of Turnout itself");
        assertTrue(heading >= 0, "README has the blue/green section");
        int start = readme.indexOf("```bash\n", heading) + "```bash\n".length();
        return readme.substring(start, readme.indexOf("```", start)).lines()
                .map(line -> line.replaceAll("\\s+#.*$", "").trim()).filter(line -> line.startsWith("kubectl ")).toList();
    }

    /** The {@code kind/name} of what those steps put into the cluster: applied deploy/ files and created objects. */
    static Set<String> providedByTheSteps(List<String> steps) throws IOException {
        Pattern apply = Pattern.compile("kubectl apply -f (\\S+)");
        Pattern create = Pattern.compile("kubectl create (secret \\S+|configmap) (\\S+)");
        Set<String> provided = new TreeSet<>();
        for (String step : steps) {
            Matcher applied = apply.matcher(step);
            if (applied.find() && applied.group(1).startsWith("deploy/")) {
                Path file = Path.of(applied.group(1));
                assertTrue(Files.isRegularFile(file), "the README applies " + file);
                for (HasMetadata resource : parse(file)) {
                    provided.add(resource.getKind() + "/" + resource.getMetadata().getName());
                }
            }
            Matcher created = create.matcher(step);
            if (created.find()) {
                provided.add((created.group(1).startsWith("secret") ? "Secret/" : "ConfigMap/") + created.group(2));
            }
        }
        return provided;
    }

    static List<HasMetadata> parse(Path file) throws IOException {
        Object parsed = YAML.unmarshal(Files.readString(file));
        if (parsed instanceof List<?> documents) { // a multi-document YAML file
            return documents.stream().map(HasMetadata.class::cast).toList();
        }
        return parsed instanceof KubernetesList list ? list.getItems() : List.of((HasMetadata) parsed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue", "green"})
    void theRecipeAppliesEverySecretAndConfigMapThePodsNeed(String colour) throws IOException {
        PodSpec pod = one(manifests(colour), Deployment.class).getSpec().getTemplate().getSpec();
        Set<String> referenced = referencedSecretsAndConfigMaps(pod);
        assertFalse(referenced.isEmpty(), "the Deployment reads its settings from Secrets and a ConfigMap");
        List<String> steps = blueGreenSteps();
        Set<String> provided = providedByTheSteps(steps);
        Set<String> missing = new TreeSet<>(referenced);
        missing.removeAll(provided);
        assertTrue(missing.isEmpty(), "the README's blue/green steps " + steps + " do not create " + missing);
        Set<String> documented = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("deploy"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
                parse(file).forEach(resource -> documented.add(resource.getKind() + "/" + resource.getMetadata().getName()));
            }
        }
        Set<String> undocumented = new TreeSet<>(referenced);
        undocumented.removeAll(documented);
        assertTrue(undocumented.isEmpty(), "deploy/ shows the keys of " + undocumented);
    }

    @Test
    void theReadmeNamesTheKindsThatAreGenerated() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("`./mvnw package` writes two complete sets of manifests");
        assertTrue(start >= 0, "README's Kubernetes section says what `./mvnw package` writes");
        String promise = readme.substring(start, readme.indexOf("\n\n", start));
        for (String colour : List.of("blue", "green")) {
            Set<String> generated = new TreeSet<>();
            manifests(colour).forEach(resource -> generated.add(resource.getKind()));
            for (String kind : List.of("Deployment", "Service", "ServiceAccount", "ConfigMap", "Secret", "Ingress",
                    "Job", "Role", "RoleBinding", "ServiceMonitor")) {
                boolean promised = Pattern.compile("\\b" + kind + "\\b").matcher(promise).find();
                assertEquals(promised, generated.contains(kind), colour + ": the README " + (promised ? "promises" : "omits")
                        + " a " + kind + "; generated: " + generated);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blue", "green"})
    void eachColourRunsAsItsOwnServiceAccountWithNoRole(String colour) throws IOException {
        List<HasMetadata> resources = manifests(colour);
        String account = one(resources, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();
        assertEquals("turnout-" + colour, account, "deleting the other colour must not delete this one's account");
        assertEquals(account, one(resources, ServiceAccount.class).getMetadata().getName());
        assertTrue(resources.stream().noneMatch(resource -> resource.getKind().endsWith("RoleBinding")),
                "Turnout calls no Kubernetes API: nothing is bound to its account");
    }
}
