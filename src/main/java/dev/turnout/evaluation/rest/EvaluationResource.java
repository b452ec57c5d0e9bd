package dev.turnout.evaluation.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dataset.DatasetNames;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.JsonIntegers;
import dev.turnout.evaluation.EvaluationInfo;
import dev.turnout.evaluation.EvaluationRequest;
import dev.turnout.evaluation.EvaluationService;
import dev.turnout.evaluation.EvaluationStore;
import dev.turnout.evaluation.Task;
import dev.turnout.registry.RegistryRules;
import dev.turnout.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Path("/api/models/{name}/versions/{version}/evaluations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evaluations")
public class EvaluationResource {

    static final String FORM = "{\"dataset\": \"golden\", \"dataset_version\": 1, \"task\": \"classification\", "
            + "\"inputs\": {\"x\": [\"f1\", \"f2\", \"f3\", \"f4\"]}, \"label\": \"species\", \"compare_with\": \"active\"}";
    private static final Set<String> FIELDS = Set.of("dataset", "dataset_version", "task", "inputs", "label",
            "compare_with");
    static final int MAX_COLUMNS = 4096;
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private final EvaluationService evaluations;
    private final EvaluationStore store;
    private final ObjectMapper mapper;
    private final SecurityIdentity identity;

    public EvaluationResource(EvaluationService evaluations, EvaluationStore store, ObjectMapper mapper,
                              SecurityIdentity identity) {
        this.evaluations = evaluations;
        this.store = store;
        this.mapper = mapper;
        this.identity = identity;
    }

    @POST
    @RolesAllowed({Roles.PUBLISHER, Roles.OPERATOR})
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Evaluate a version on a dataset version", description = "Checks the column mapping against "
            + "the version's signature (and the compared version's), then queues the evaluation; it runs on a "
            + "background thread of some replica with the production engine path. Poll the Location for progress "
            + "and results.")
    @RequestBody(description = FORM)
    @APIResponse(responseCode = "202", description = "Queued; Location names the evaluation")
    @APIResponse(responseCode = "400", description = "Malformed request")
    @APIResponse(responseCode = "404", description = "No such model, version or dataset version")
    @APIResponse(responseCode = "409", description = "compare_with is \"active\" and the model has no active version, "
            + "or the version or dataset version was deleted and created again while the request ran (retry)")
    @APIResponse(responseCode = "422", description = "The column mapping does not fit the signature")
    public Response submit(@RestPath String name, @RestPath String version, String body) {
        RegistryRules.checkModelName(name);
        int number = RegistryRules.checkVersionNumber(version);
        EvaluationInfo info = evaluations.submit(name, number, parse(body), identity.getPrincipal().getName());
        return Response.accepted(info).location(UriBuilder.fromResource(EvaluationResource.class)
                .path("{id}").build(name, number, info.id())).build();
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "List a version's evaluations, newest first",
            description = "?limit= (default 50, at most 500) and ?before=<id> for the next page.")
    public List<EvaluationInfo> list(@RestPath String name, @RestPath String version, @RestQuery String limit,
                                     @RestQuery String before) {
        RegistryRules.checkModelName(name);
        int number = RegistryRules.checkVersionNumber(version);
        int size = limit == null ? DEFAULT_LIMIT : wholeNumber("limit", limit, MAX_LIMIT);
        long beforeId = before == null ? Long.MAX_VALUE : wholeNumber("before", before, Integer.MAX_VALUE);
        return store.list(name, number, beforeId, size);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "An evaluation: state, progress and results")
    @APIResponse(responseCode = "404", description = "No such evaluation of this version")
    public EvaluationInfo get(@RestPath String name, @RestPath String version, @RestPath String id) {
        RegistryRules.checkModelName(name);
        int number = RegistryRules.checkVersionNumber(version);
        return store.get(name, number, wholeNumber("id", id, Integer.MAX_VALUE));
    }

    private static int wholeNumber(String what, String text, int max) {
        if (text != null && text.matches("[1-9][0-9]{0,9}") && Long.parseLong(text) <= max) {
            return Integer.parseInt(text);
        }
        throw TurnoutException.invalid("'" + what + "' must be a whole number from 1 to " + max);
    }

    private EvaluationRequest parse(String body) {
        JsonNode request;
        try {
            request = mapper.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw TurnoutException.invalid("the body is not valid JSON: " + e.getOriginalMessage() + "; expected " + FORM);
        }
        if (request == null || !request.isObject()) {
            throw TurnoutException.invalid("the body must be a JSON object: " + FORM);
        }
        for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw TurnoutException.invalid("unknown field '" + RegistryRules.printable(field) + "'; accepted: "
                        + FIELDS.stream().sorted().toList());
            }
        }
        String dataset = DatasetNames.check(text(request, "dataset"));
        int datasetVersion = JsonIntegers.positiveInt(request, "dataset_version", "");
        String taskName = text(request, "task");
        Task task = Task.parse(taskName).orElseThrow(() -> TurnoutException.invalid("'task' must be one of "
                + Task.ACCEPTED + ", not '" + RegistryRules.printable(taskName) + "'"));
        String label = text(request, "label");
        return new EvaluationRequest(dataset, datasetVersion, task, inputs(request.get("inputs")), label,
                compareWith(request.get("compare_with")));
    }

    private static String text(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            throw TurnoutException.invalid("'" + field + "' must be a non-empty string; expected " + FORM);
        }
        return node.textValue();
    }

    private static Map<String, List<String>> inputs(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw TurnoutException.invalid("'inputs' must map each model input to its columns, in order, e.g. "
                    + "{\"x\": [\"f1\", \"f2\", \"f3\", \"f4\"]}");
        }
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        int total = 0;
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
            JsonNode columns = field.getValue();
            if (!columns.isArray() || columns.isEmpty()) {
                throw TurnoutException.invalid("input '" + RegistryRules.printable(field.getKey()) + "' must map to a "
                        + "non-empty array of column names");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode column : columns) {
                if (!column.isTextual()) {
                    throw TurnoutException.invalid("input '" + RegistryRules.printable(field.getKey()) + "': column "
                            + "names must be strings");
                }
                names.add(column.textValue());
            }
            total += names.size();
            if (total > MAX_COLUMNS) {
                throw TurnoutException.invalid("at most " + MAX_COLUMNS + " columns may be mapped");
            }
            inputs.put(field.getKey(), List.copyOf(names));
        }
        return inputs;
    }

    private static String compareWith(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() && node.textValue().equals(EvaluationRequest.ACTIVE)) {
            return EvaluationRequest.ACTIVE;
        }
        if (JsonIntegers.isPositiveInt(node)) {
            return Integer.toString(node.intValue());
        }
        throw TurnoutException.invalid("'compare_with' must be \"active\" or a version number, a whole number from 1 "
                + "(2 or 2.0, not 2.5)");
    }
}
