package dev.turnout.dataset.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.dataset.DatasetCatalog;
import dev.turnout.dataset.DatasetDownload;
import dev.turnout.dataset.DatasetFormat;
import dev.turnout.dataset.DatasetNames;
import dev.turnout.dataset.DatasetService;
import dev.turnout.dataset.DatasetUpload;
import dev.turnout.dataset.DatasetUploader;
import dev.turnout.dataset.DatasetVersion;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.DownloadPreconditions;
import dev.turnout.http.ListCursor;
import dev.turnout.http.RangeHeader;
import dev.turnout.registry.RegistryRules;
import dev.turnout.security.Roles;
import dev.turnout.storage.ByteRange;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

@Path("/api/datasets/{name}/versions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets")
public class DatasetVersionResource {

    static final String TAGS_FORM = "a JSON object of strings, e.g. {\"source\": \"holdout\"}";
    private static final ListCursor CURSOR = new ListCursor("dataset-versions");

    private final DatasetCatalog catalog;
    private final DatasetService service;
    private final DatasetUploader uploader;
    private final DatasetDownload download;
    private final ObjectMapper mapper;
    private final SecurityIdentity identity;

    public DatasetVersionResource(DatasetCatalog catalog, DatasetService service, DatasetUploader uploader,
                                  DatasetDownload download, ObjectMapper mapper, SecurityIdentity identity) {
        this.catalog = catalog;
        this.service = service;
        this.uploader = uploader;
        this.download = download;
        this.mapper = mapper;
        this.identity = identity;
    }

    @POST
    @RolesAllowed(Roles.PUBLISHER)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a dataset version", description = "Creates the dataset on first upload. The data is "
            + "read once, streamed, before anything is stored: its digest, columns and rows are recorded. Malformed "
            + "rows are counted (with the first few problems) rather than refusing the file, unless no row parses.")
    @APIResponse(responseCode = "201", description = "The new version; Location names it")
    @APIResponse(responseCode = "400", description = "Malformed name or part; empty data, no header, not CSV or JSON "
            + "Lines, no row that parses")
    @APIResponse(responseCode = "413", description = "Data over turnout.datasets.max-upload-size")
    @APIResponse(responseCode = "415", description = "Not multipart/form-data")
    public Response upload(@RestPath String name, DatasetUploadForm form) throws IOException {
        try {
            DatasetNames.check(name);
            DatasetVersion version = uploader.upload(parse(name, form), actor());
            return Response.created(UriBuilder.fromResource(DatasetVersionResource.class).path("{version}")
                    .build(name, version.version())).entity(version).build();
        } finally {
            // Quarkus deletes spooled parts when the request ends; delete now so a refusal leaves nothing at all.
            if (form != null && form.data != null) {
                Files.deleteIfExists(form.data.uploadedFile());
            }
        }
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "List a dataset's versions", description = "Oldest first. At most ?limit= (default 100, at "
            + "most 1000); when more follow, the Next-Cursor header (and Link rel=next) gives the ?cursor= of the next "
            + "page.")
    @APIResponse(responseCode = "200", description = "A JSON array of versions", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = DatasetVersion.class)))
    @APIResponse(responseCode = "400", description = "Malformed name, limit or cursor")
    @APIResponse(responseCode = "404", description = "No such dataset")
    public Response list(@RestPath String name, @RestQuery String limit, @RestQuery String cursor, UriInfo uri) {
        DatasetNames.check(name);
        int count = ListCursor.limit(limit);
        String after = CURSOR.after(cursor);
        int afterVersion = 0;
        if (after != null) {
            try {
                afterVersion = RegistryRules.checkVersionNumber(after);
            } catch (TurnoutException e) {
                throw CURSOR.invalidCursor();
            }
        }
        var page = catalog.versions(name, afterVersion, count);
        return CURSOR.answer(page.items(), page.more(), version -> String.valueOf(version.version()), uri);
    }

    @GET
    @Path("/{version}")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "Get a dataset version", description = "Format, digest, size, columns, row count, malformed "
            + "rows and their first problems.")
    @APIResponse(responseCode = "404", description = "No such dataset or version")
    public DatasetVersion get(@RestPath String name, @RestPath String version) {
        return catalog.version(DatasetNames.check(name), RegistryRules.checkVersionNumber(version));
    }

    @GET
    @Path("/{version}/data")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Produces({"text/csv", "application/jsonl", MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @Operation(summary = "Download a dataset version", description = "Streams the bytes as uploaded; the ETag is the "
            + "sha256. One byte range (Range: bytes=first-last, first- or -suffix) answers 206 with Content-Range; "
            + "If-Range with the ETag makes the range conditional.")
    @APIResponse(responseCode = "200", description = "The data")
    @APIResponse(responseCode = "206", description = "The requested range of the data")
    @APIResponse(responseCode = "304", description = "If-None-Match named this digest")
    @APIResponse(responseCode = "412", description = "If-Match names another ETag")
    @APIResponse(responseCode = "416", description = "The range starts past the data's end")
    public Response data(@RestPath String name, @RestPath String version, Request request,
                         @RestHeader("Range") String range, @RestHeader("If-Range") String ifRange) {
        DatasetVersion dataset = catalog.version(DatasetNames.check(name), RegistryRules.checkVersionNumber(version));
        EntityTag etag = new EntityTag(dataset.sha256());
        Optional<Response> unchanged = DownloadPreconditions.check(request, etag, "dataset '" + name + "' version "
                + dataset.version());
        if (unchanged.isPresent()) {
            return unchanged.get();
        }
        boolean rangeApplies = ifRange == null || ifRange.trim().equals("\"" + dataset.sha256() + "\"");
        Optional<RangeHeader> part = rangeApplies ? RangeHeader.parse(range, dataset.sizeBytes()) : Optional.empty();
        ByteRange bytes = part.map(p -> new ByteRange(p.first(), p.length())).orElse(ByteRange.ALL);
        StreamingOutput body = out -> {
            try (InputStream in = download.open(dataset, bytes)) {
                in.transferTo(out);
            }
        };
        DatasetFormat format = DatasetFormat.parse(dataset.format()).orElseThrow();
        Response.ResponseBuilder answer = part.isPresent()
                ? Response.status(Response.Status.PARTIAL_CONTENT).entity(body)
                        .header("Content-Range", part.get().contentRange(dataset.sizeBytes()))
                        .header(HttpHeaders.CONTENT_LENGTH, part.get().length())
                : Response.ok(body).header(HttpHeaders.CONTENT_LENGTH, dataset.sizeBytes());
        return answer.type(format.mediaType())
                .tag(etag)
                .header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + name + "-v" + dataset.version()
                        + format.extension() + "\"")
                .build();
    }

    @DELETE
    @Path("/{version}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Delete a dataset version", description = "Its bytes go too once nothing else shares them. "
            + "Refused (409) while an evaluation references it. Numbers are never reused.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such dataset or version")
    @APIResponse(responseCode = "409", description = "Evaluations reference the version")
    public Response delete(@RestPath String name, @RestPath String version) {
        service.delete(DatasetNames.check(name), RegistryRules.checkVersionNumber(version));
        return Response.noContent().build();
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }

    private DatasetUpload parse(String name, DatasetUploadForm form) {
        if (form == null || form.data == null) {
            throw TurnoutException.invalid("the 'data' file part is required (multipart/form-data; optional parts: "
                    + "format, description, tags)");
        }
        DatasetFormat format = null;
        if (form.format != null && !form.format.isBlank()) {
            format = DatasetFormat.parse(form.format.trim().toLowerCase()).orElseThrow(() -> TurnoutException.invalid(
                    "unsupported format '" + RegistryRules.printable(form.format) + "'; accepted: "
                            + DatasetFormat.ACCEPTED));
        }
        RegistryRules.checkDescription(form.description);
        return new DatasetUpload(name, form.data.uploadedFile(), format, form.description, tags(form.tags));
    }

    private Map<String, String> tags(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        JsonNode node;
        try {
            node = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw TurnoutException.invalid("'tags' is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw TurnoutException.invalid("'tags' must be " + TAGS_FORM);
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
            if (!field.getValue().isTextual()) {
                throw TurnoutException.invalid("tag '" + RegistryRules.printable(field.getKey()) + "' is "
                        + field.getValue().getNodeType().name().toLowerCase() + "; 'tags' must be " + TAGS_FORM);
            }
            tags.put(field.getKey(), field.getValue().textValue());
        }
        RegistryRules.checkTags(tags, false);
        return tags;
    }
}
