package dev.turnout.registry.rest;

import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.PartType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** The parts of a version upload (multipart/form-data). Only {@code artifact} is required. */
public class UploadForm {

    @RestForm
    @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING, format = "binary",
            description = "The model file: ONNX or TorchScript", required = true)
    public FileUpload artifact;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "onnx or torchscript; recognised from the file when absent", enumeration = {"onnx", "torchscript"})
    public String format;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "JSON object of numbers", example = "{\"rmse\": 0.0}")
    public String metrics;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "JSON object of strings", example = "{\"team\": \"pricing\"}")
    public String tags;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    public String description;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "JSON {inputs, outputs}; required for TorchScript, checked against the model for ONNX")
    public String signature;

    @RestForm
    @PartType(MediaType.TEXT_PLAIN)
    @Schema(description = "Hex sha256 the artifact must have")
    public String sha256;
}
