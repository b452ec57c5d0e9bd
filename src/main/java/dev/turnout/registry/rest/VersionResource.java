package dev.turnout.registry.rest;

import jakarta.annotation.security.RolesAllowed;
import dev.turnout.http.ListCursor;
import dev.turnout.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.engine.ModelFormat;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.DownloadPreconditions;
import dev.turnout.http.RangeHeader;
import dev.turnout.http.StreamedUpload;
import dev.turnout.storage.ByteRange;
import dev.turnout.registry.ArtifactStore;
import dev.turnout.registry.Digests;
import dev.turnout.registry.RegistryRules;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.StoredArtifact;
import dev.turnout.registry.TagFilter;
import dev.turnout.registry.VersionChanges;
import dev.turnout.registry.VersionInfo;
import dev.turnout.registry.VersionUpload;
import dev.turnout.registry.VersionUploader;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

@Path("/api/models/{name}/versions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class VersionResource {

    private static final Set<String> PATCHABLE = Set.of("metrics", "tags", "description");

    private static final ListCursor CURSOR = new ListCursor("versions");

    private final RegistryService registry;
    private final VersionUploader uploader;
    private final ArtifactStore artifacts;
    private final ObjectMapper mapper;
    private final SecurityIdentity identity;
    private final StreamedUpload receiver;

    public VersionResource(RegistryService registry, VersionUploader uploader, ArtifactStore artifacts,
                           ObjectMapper mapper, SecurityIdentity identity, StreamedUpload receiver) {
        this.receiver = receiver;
        this.identity = identity;
        this.registry = registry;
        this.uploader = uploader;
        this.artifacts = artifacts;
        this.mapper = mapper;
    }

    @POST
    @RolesAllowed(Roles.PUBLISHER)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a new version",
            description = "Creates the model on first upload. The artifact is loaded once with DJL before anything is "
                    + "stored; its signature is read from the model (ONNX) or taken from the 'signature' part (TorchScript).")
    @APIResponse(responseCode = "201", description = "The new version; Location names it")
    @APIResponse(responseCode = "400", description = "Malformed name or part")
    @APIResponse(responseCode = "413", description = "Artifact over the upload limit")
    @APIResponse(responseCode = "415", description = "Not multipart/form-data, or a model format this server does not "
            + "accept (turnout.registry.formats)")
    @APIResponse(responseCode = "422", description = "Not a loadable model of that format, or digest/signature mismatch")
    public Response upload(@RestPath String name, UploadForm form) throws IOException {
        try {
            RegistryRules.checkModelName(name);
            if (form.artifact == null) {
                throw TurnoutException.invalid("the 'artifact' file part is required (multipart/form-data; optional "
                        + "parts: format, metrics, tags, description, signature, sha256)");
            }
            VersionUpload fields = fields(name, form.format, form.metrics, form.tags, form.description,
                    form.signature, form.sha256);
            VersionInfo version = uploader.upload(fields.withArtifact(form.artifact.uploadedFile(), null), actor());
            return created(name, version);
        } finally {
            // Quarkus deletes spooled parts when the request ends; delete now so a refusal leaves nothing at all.
            if (form.artifact != null) {
                Files.deleteIfExists(form.artifact.uploadedFile());
            }
        }
    }

    @POST
    @RolesAllowed(Roles.PUBLISHER)
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Upload a new version as the raw artifact",
            description = "The body is the model file itself (Content-Type: application/octet-stream); the optional "
                    + "parts of the multipart upload are query parameters here (format, sha256, description, and "
                    + "metrics, tags, signature as JSON). The bytes are hashed while they arrive, so a large model "
                    + "uploads faster this way; the checks and answers are those of the multipart upload.")
    @APIResponse(responseCode = "201", description = "The new version; Location names it")
    @APIResponse(responseCode = "400", description = "Malformed name or parameter")
    @APIResponse(responseCode = "413", description = "Artifact over the upload limit")
    @APIResponse(responseCode = "415", description = "A model format this server does not accept (turnout.registry.formats)")
    @APIResponse(responseCode = "422", description = "Not a loadable model of that format, or digest/signature mismatch")
    public Response uploadStream(@RestPath String name, @RestQuery String format, @RestQuery String sha256,
                                 @RestQuery String metrics, @RestQuery String tags, @RestQuery String description,
                                 @RestQuery String signature, InputStream body) throws IOException {
        RegistryRules.checkModelName(name);
        // Everything but the bytes is checked before a byte is read.
        VersionUpload fields = fields(name, format, metrics, tags, description, signature, sha256);
        try (StoreWhileReceiving early = new StoreWhileReceiving(uploader::writeWhileArriving)) {
            StreamedUpload.Received received = receiver.receive(body, uploader.maxUploadSize(),
                    "turnout.registry.max-upload-size", early);
            early.received(received.size());
            try {
                VersionInfo version = uploader.upload(fields.withArtifact(received.file(), received.sha256()), actor());
                return created(name, version);
            } finally {
                Files.deleteIfExists(received.file());
            }
        }
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "List a model's versions", description = "Oldest first. ?tag=name=value (or ?tag=name; "
            + "repeatable, all must hold): only versions with those tags. At most ?limit= (default 100, at most "
            + "1000); when more follow, the Next-Cursor header (and Link rel=next) gives the ?cursor= of the next page.")
    @APIResponse(responseCode = "200", description = "A JSON array of versions", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = VersionInfo.class)))
    @APIResponse(responseCode = "400", description = "Malformed name, tag, limit or cursor")
    @APIResponse(responseCode = "404", description = "No such model")
    public Response list(@RestPath String name, @RestQuery List<String> tag, @RestQuery String limit,
                         @RestQuery String cursor, UriInfo uri) {
        RegistryRules.checkModelName(name);
        int count = ListCursor.limit(limit);
        // from the query as sent: the framework drops an empty value ("?tag=", "?tag"), which then filtered nothing
        List<TagFilter> tags = TagFilter.parseAll(uri.getQueryParameters().get("tag"));
        String after = CURSOR.after(cursor);
        int afterVersion;
        try {
            afterVersion = after == null ? 0 : Integer.parseInt(after);
        } catch (NumberFormatException e) {
            throw CURSOR.invalidCursor();
        }
        if (afterVersion < 0) {
            throw CURSOR.invalidCursor();
        }
        var page = registry.listVersions(name, tags, afterVersion, count);
        return CURSOR.answer(page.items(), page.more(), version -> String.valueOf(version.version()), uri);
    }

    @GET
    @Path("/{version}")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "Get a version", description = "With its digest, size, signature, metrics and tags.")
    @APIResponse(responseCode = "404", description = "No such model or version")
    public VersionInfo get(@RestPath String name, @RestPath String version) {
        return registry.getVersion(RegistryRules.checkModelName(name), RegistryRules.checkVersionNumber(version));
    }

    @GET
    @Path("/{version}/artifact")
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    @Operation(summary = "Download a version's artifact", description = "Streams the bytes; the ETag is the sha256. "
            + "One byte range (Range: bytes=first-last, first- or -suffix) answers 206 with Content-Range, so a "
            + "download can resume; If-Range with the ETag makes the range conditional.")
    @APIResponse(responseCode = "200", description = "The artifact")
    @APIResponse(responseCode = "206", description = "The requested range of the artifact")
    @APIResponse(responseCode = "304", description = "If-None-Match named this digest")
    @APIResponse(responseCode = "412", description = "If-Match names another ETag")
    @APIResponse(responseCode = "416", description = "The range starts past the artifact's end")
    public Response download(@RestPath String name, @RestPath String version, Request request,
                             @RestHeader("Range") String range, @RestHeader("If-Range") String ifRange) {
        StoredArtifact artifact = registry.artifactOf(RegistryRules.checkModelName(name),
                RegistryRules.checkVersionNumber(version));
        EntityTag etag = new EntityTag(artifact.sha256());
        Optional<Response> unchanged = DownloadPreconditions.check(request, etag, "version " + version + " of '"
                + name + "'");
        if (unchanged.isPresent()) {
            return unchanged.get();
        }
        // If-Range: the range holds only for these very bytes (a strong ETag match); a date, or another tag, gets all.
        boolean rangeApplies = ifRange == null || ifRange.trim().equals("\"" + artifact.sha256() + "\"");
        Optional<RangeHeader> part = rangeApplies ? RangeHeader.parse(range, artifact.sizeBytes()) : Optional.empty();
        ByteRange bytes = part.map(p -> new ByteRange(p.first(), p.length())).orElse(ByteRange.ALL);
        StreamingOutput body = out -> {
            try (InputStream in = artifacts.open(artifact, bytes)) {
                in.transferTo(out);
            }
        };
        String file = name + "-v" + version + (artifact.format() == ModelFormat.ONNX ? ".onnx" : ".pt");
        Response.ResponseBuilder answer = part.isPresent()
                ? Response.status(Response.Status.PARTIAL_CONTENT).entity(body)
                        .header("Content-Range", part.get().contentRange(artifact.sizeBytes()))
                        .header(HttpHeaders.CONTENT_LENGTH, part.get().length())
                : Response.ok(body).header(HttpHeaders.CONTENT_LENGTH, artifact.sizeBytes())
                        .header("Digest", "sha-256=" + java.util.Base64.getEncoder().encodeToString(
                                java.util.HexFormat.of().parseHex(artifact.sha256())));
        return answer.type(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .tag(etag)
                .header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .build();
    }

    @PATCH
    @Path("/{version}")
    @RolesAllowed(Roles.PUBLISHER)
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    @Operation(summary = "Merge metrics, tags or description into a version",
            description = "A null value removes that metric or tag; an empty description clears it. The artifact never changes.")
    @RequestBody(description = "{\"metrics\": {...}, \"tags\": {...}, \"description\": \"...\"}")
    @APIResponse(responseCode = "400", description = "Malformed body")
    @APIResponse(responseCode = "404", description = "No such model or version")
    public VersionInfo patch(@RestPath String name, @RestPath String version, String body) {
        int number = RegistryRules.checkVersionNumber(version);
        RegistryRules.checkModelName(name);
        JsonNode patch = RegistryJson.parse(mapper, "body", body == null ? "" : body);
        if (patch == null || !patch.isObject()) {
            throw TurnoutException.invalid("the body must be a JSON object with any of " + PATCHABLE);
        }
        patch.fieldNames().forEachRemaining(field -> {
            if (!PATCHABLE.contains(field)) {
                throw TurnoutException.invalid("'" + RegistryRules.printable(field) + "' cannot be changed; a PATCH may "
                        + "carry " + PATCHABLE + " (a version's artifact, format and signature never change)");
            }
        });
        JsonNode description = patch.get("description");
        if (description != null && !description.isTextual()) {
            throw TurnoutException.invalid("'description' must be a string");
        }
        String text = description == null ? null : description.textValue();
        RegistryRules.checkDescription(text);
        VersionChanges changes = new VersionChanges(
                patch.has("metrics") ? RegistryJson.metrics(patch.get("metrics"), true) : null,
                patch.has("tags") ? RegistryJson.tags(patch.get("tags"), true) : null,
                text);
        return registry.updateVersion(name, number, changes, actor());
    }

    @DELETE
    @Path("/{version}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Delete a version", description = "Its artifact goes too once no other version shares it. "
            + "The active version cannot be deleted (409).")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "No such model or version")
    @APIResponse(responseCode = "409", description = "It is the active version")
    public Response delete(@RestPath String name, @RestPath String version) {
        registry.deleteVersion(RegistryRules.checkModelName(name), RegistryRules.checkVersionNumber(version), actor());
        return Response.noContent().build();
    }

    private String actor() {
        return identity.getPrincipal().getName();
    }

    private static Response created(String name, VersionInfo version) {
        return Response.created(UriBuilder.fromResource(VersionResource.class).path("{version}")
                .build(name, version.version())).entity(version).build();
    }

    /**
     * The optional fields of an upload, as parts (multipart) or query parameters (streamed), each null when absent,
     * checked (400 for a malformed one) into an upload whose artifact is still to come.
     */
    private VersionUpload fields(String name, String format, String metrics, String tags, String description,
                                 String signature, String sha256) {
        ModelFormat parsedFormat = null;
        if (format != null && !format.isBlank()) {
            parsedFormat = ModelFormat.parse(format.trim().toLowerCase()).orElseThrow(() -> TurnoutException.invalid(
                    "unsupported format '" + RegistryRules.printable(format) + "'; accepted: " + uploader.accepted()));
        }
        String declared = null;
        if (sha256 != null && !sha256.isBlank()) {
            declared = sha256.trim();
            if (!Digests.SHA256_HEX.matcher(declared).matches()) {
                throw TurnoutException.invalid("'sha256' must be 64 hex digits");
            }
        }
        Map<String, Double> parsedMetrics = metrics == null ? Map.of()
                : RegistryJson.metrics(RegistryJson.parse(mapper, "metrics", metrics), false);
        Map<String, String> parsedTags = tags == null ? Map.of()
                : RegistryJson.tags(RegistryJson.parse(mapper, "tags", tags), false);
        RegistryRules.checkDescription(description);
        var parsedSignature = signature == null ? null
                : RegistryJson.signature(RegistryJson.parse(mapper, "signature", signature));
        return new VersionUpload(name, null, parsedFormat, parsedMetrics, parsedTags, description,
                parsedSignature, declared, null);
    }
}
