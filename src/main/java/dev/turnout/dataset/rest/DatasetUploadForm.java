package dev.turnout.dataset.rest;

import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.PartType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The parts of a dataset upload (multipart/form-data). Only {@code data} is required. */
public class DatasetUploadForm {

    @RestForm
    @Schema(type = SchemaType.STRING, format = "binary", required = true,
            description = "The dataset: CSV with a header row, or JSON Lines (one flat object per line), UTF-8")
    public FileUpload data;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "csv or jsonl; recognised from the data when absent", enumeration = {"csv", "jsonl"})
    public String format;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    public String description;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "JSON object of strings", example = "{\"source\": \"holdout-2026-q3\"}")
    public String tags;
}
