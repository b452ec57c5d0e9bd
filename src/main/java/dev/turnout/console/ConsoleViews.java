package dev.turnout.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.registry.ModelInfo;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.VersionInfo;
import dev.turnout.rollout.ActivationRecord;
import dev.turnout.rollout.ActivationService;
import dev.turnout.rollout.ReplicaState;
import dev.turnout.rollout.RolloutService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What the console's pages show, read through the registry's and rollout's own services (no queries of its own). */
@ApplicationScoped
public class ConsoleViews {

    /** Most models and versions a page lists (the API pages through more). */
    public static final int PAGE_LIMIT = 500;
    private static final int HISTORY_LIMIT = 50;

    private final RegistryService registry;
    private final ActivationService activation;
    private final RolloutService rollout;
    private final LiveRates rates;
    private final ObjectMapper mapper;

    public ConsoleViews(RegistryService registry, ActivationService activation, RolloutService rollout,
                        LiveRates rates, ObjectMapper mapper) {
        this.registry = registry;
        this.activation = activation;
        this.rollout = rollout;
        this.rates = rates;
        this.mapper = mapper;
    }

    /** A version's live figures on this replica. */
    public record VersionRate(int version, LiveRates.Rate rate) {
    }

    /** The live state of a model: its replicas and this replica's request rates. */
    public record Live(ModelInfo model, List<ReplicaState> replicas, List<VersionRate> rates) {

        public int liveReplicas() {
            return replicas.size();
        }

        /** Live replicas serving the active version (or, with none active, serving nothing of the model). */
        public long replicasOnActive() {
            return replicas.stream().filter(r -> r.reached(model.activeVersion())).count();
        }

        public boolean converged() {
            return !replicas.isEmpty() && replicasOnActive() == replicas.size();
        }

        /** Some replica is still moving to the active version (fetching, loading, or behind). */
        public boolean moving() {
            return replicas.stream().anyMatch(r -> !r.reached(model.activeVersion()) && !r.failed(model.activeVersion()));
        }

        public boolean failing() {
            return replicas.stream().anyMatch(r -> r.failed(model.activeVersion()));
        }
    }

    public record ModelPage(Live live, List<VersionInfo> versions, boolean moreVersions, List<String> metricNames,
                            List<String> tagNames, List<ActivationRecord> history, String chartJson) {
    }

    public List<Live> models() {
        List<Live> models = new ArrayList<>();
        for (ModelInfo model : registry.listModels(List.of(), "", PAGE_LIMIT).items()) {
            models.add(live(model));
        }
        return models;
    }

    public Live live(String name) {
        return live(registry.getModel(name));
    }

    private Live live(ModelInfo model) {
        List<VersionRate> versionRates = new ArrayList<>();
        rates.of(model.name()).entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> versionRates.add(new VersionRate(entry.getKey(), entry.getValue())));
        return new Live(model, activation.status(model.name()).replicas(), versionRates);
    }

    public ModelPage model(String name) {
        Live live = live(name);
        var page = registry.listVersions(name, List.of(), 0, PAGE_LIMIT);
        TreeSet<String> metrics = new TreeSet<>();
        TreeSet<String> tags = new TreeSet<>();
        page.items().forEach(v -> {
            metrics.addAll(v.metrics().keySet());
            tags.addAll(v.tags().keySet());
        });
        return new ModelPage(live, page.items(), page.more(), List.copyOf(metrics), List.copyOf(tags),
                rollout.history(name, HISTORY_LIMIT), chart(page.items(), metrics));
    }

    public VersionInfo version(String name, int version) {
        return registry.getVersion(name, version);
    }

    /** {"versions": [1, 2], "metrics": {"rmse": [0.12, null]}} for the chart (null where a version lacks it). */
    private String chart(List<VersionInfo> versions, TreeSet<String> metricNames) {
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("versions", versions.stream().map(VersionInfo::version).toList());
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String metric : metricNames) {
            List<Double> values = new ArrayList<>();
            versions.forEach(v -> values.add(v.metrics().get(metric)));
            series.put(metric, values);
        }
        chart.put("metrics", series);
        try {
            return mapper.writeValueAsString(chart);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
