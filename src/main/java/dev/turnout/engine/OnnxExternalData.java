package dev.turnout.engine;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds ONNX tensors whose data lives outside the model file. A TensorProto may say {@code data_location = EXTERNAL}
 * and name a file in {@code external_data} (e.g. "../../../../etc/passwd"); ONNX Runtime would then open that path
 * relative to the model (CVE-2022-25882). Turnout accepts only self-contained models, so this runs before anything
 * else opens an ONNX file.
 *
 * <p>A minimal streaming protobuf walker over the ModelProto (field numbers from onnx.proto): it descends only into
 * the messages that can hold a TensorProto and skips every other length-delimited field (weights in
 * {@code raw_data} are skipped with a seek, never read), so a model of any size is checked in a few reads.
 * Wherever a TensorProto can appear it is looked at:
 * <pre>
 * ModelProto.graph (7), .functions (25), .training_info (20)
 * TrainingInfoProto.initialization (1), .algorithm (2)                  GraphProto
 * GraphProto.node (1), .initializer (5), .sparse_initializer (15)
 * FunctionProto.node (7), .attribute_proto (11: attribute defaults)    NodeProto, AttributeProto
 * NodeProto.attribute (5)
 * AttributeProto.t (5), .tensors (10), .g (6), .graphs (11), .sparse_tensor (22), .sparse_tensors (23)
 * SparseTensorProto.values (1), .indices (2)                            TensorProto
 * TensorProto.external_data (13, non-empty), .data_location (14, not DEFAULT)
 * </pre>
 * The same walk reads the main graph's declared signature (GraphProto.input 11, .output 12, less the names of its
 * initializers 5; see {@link OnnxValueInfo}), so an upload learns it without opening an ONNX Runtime session.
 *
 * <p>Anything that is not well-formed protobuf (truncated, bad varints, lengths past their message, groups, nesting
 * deeper than {@value #MAX_DEPTH}) is refused as not a loadable model: the walker never guesses.
 */
public final class OnnxExternalData {

    /** Deepest message nesting accepted (a subgraph costs three levels: node, attribute, graph). */
    static final int MAX_DEPTH = 64;

    private static final int MAX_SHOWN = 120;

    /** Longest tensor name read whole (inputs, outputs, initializers). */
    static final int MAX_NAME = 64 * 1024;

    /** A name for messages: at most {@value #MAX_SHOWN} characters, control characters replaced. */
    static String shown(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > MAX_SHOWN ? clean.substring(0, MAX_SHOWN) + "…" : clean;
    }

    /** A tensor whose data is outside the model: its name and the location it names (either may be empty). */
    public record Reference(String tensor, String location) {
        @Override
        public String toString() {
            return "tensor '" + tensor + "'" + (location.isEmpty() ? ", data_location EXTERNAL" : " at '" + location + "'");
        }
    }

    /** The protobuf is not a well-formed ModelProto. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private OnnxExternalData() {
    }

    /**
     * Refuses an ONNX model that references external data or is not well-formed protobuf; otherwise returns the
     * signature its main graph declares (inputs that are not initializers, and outputs), read in the same walk, so no
     * ONNX Runtime session is opened just to learn it.
     */
    static Signature requireSelfContained(Path file) throws InvalidModelException {
        return walkSelfContained(file).signature();
    }

    /** What the walk of a self-contained model found: its declared signature and where its large weights lie. */
    record Walked(Signature signature, OnnxProofHeader.Layout layout) {
    }

    /** {@link #requireSelfContained}, also returning where the main graph's large raw_data weights lie in the file. */
    static Walked walkSelfContained(Path file) throws InvalidModelException {
        Optional<Reference> external;
        Walker walker;
        try (InputStream in = new BufferedInputStream(new FileInputStream(file.toFile()), 64 * 1024)) {
            walker = new Walker(in);
            external = walker.walk(Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file.getFileName(), e);
        } catch (MalformedException e) {
            throw new InvalidModelException(InvalidModelException.Reason.NOT_LOADABLE,
                    "not a well-formed ONNX ModelProto: " + e.getMessage());
        }
        if (external.isPresent()) {
            throw new InvalidModelException(InvalidModelException.Reason.NOT_LOADABLE,
                    "the ONNX model references external data (" + external.get()
                            + "): only self-contained models are accepted");
        }
        return new Walked(walker.signature(), walker.layout());
    }

    /**
     * The first tensor in {@code file} whose data is external, if any.
     *
     * @throws MalformedException the file is not a well-formed protobuf ModelProto
     */
    public static Optional<Reference> find(Path file) throws MalformedException {
        try (InputStream in = new BufferedInputStream(new FileInputStream(file.toFile()), 64 * 1024)) {
            return new Walker(in).walk(Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file.getFileName(), e);
        }
    }

    /** The same over bytes in memory (tests). */
    static Optional<Reference> find(byte[] model) throws MalformedException {
        try {
            return new Walker(new java.io.ByteArrayInputStream(model)).walk(model.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The messages the walker descends into. */
    private enum Kind { MODEL, TRAINING_INFO, FUNCTION, GRAPH, NODE, ATTRIBUTE, SPARSE_TENSOR, TENSOR, ENTRY }

    /** Which length-delimited field of a message is a message worth descending into, or null to skip it. */
    private static Kind child(Kind parent, int field) {
        return switch (parent) {
            case MODEL -> field == 7 ? Kind.GRAPH : field == 25 ? Kind.FUNCTION : field == 20 ? Kind.TRAINING_INFO : null;
            case TRAINING_INFO -> field == 1 || field == 2 ? Kind.GRAPH : null;
            case FUNCTION -> field == 7 ? Kind.NODE : field == 11 ? Kind.ATTRIBUTE : null;
            case GRAPH -> field == 1 ? Kind.NODE : field == 5 ? Kind.TENSOR : field == 15 ? Kind.SPARSE_TENSOR : null;
            case NODE -> field == 5 ? Kind.ATTRIBUTE : null;
            case ATTRIBUTE -> switch (field) {
                case 5, 10 -> Kind.TENSOR;
                case 6, 11 -> Kind.GRAPH;
                case 22, 23 -> Kind.SPARSE_TENSOR;
                default -> null;
            };
            case SPARSE_TENSOR -> field == 1 || field == 2 ? Kind.TENSOR : null;
            case TENSOR -> field == 13 ? Kind.ENTRY : null;
            case ENTRY -> null;
        };
    }

    private static final class Walker {
        private final InputStream in;
        private long position;
        private Reference found;
        // The main graph's declarations (ModelProto.graph: input 11, output 12, initializer 5), for the signature.
        private final List<OnnxValueInfo> inputs = new ArrayList<>();
        private final List<OnnxValueInfo> outputs = new ArrayList<>();
        private final Set<String> initializers = new HashSet<>();
        // Where the main graph and its initializers' raw_data lie, for the proof's small header (OnnxProofHeader).
        private final List<OnnxProofHeader.Inline> inline = new ArrayList<>();
        private OnnxProofHeader.Span graph;
        private int graphFields;

        Walker(InputStream in) {
            this.in = in;
        }

        Optional<Reference> walk(long size) throws IOException, MalformedException {
            try {
                message(Kind.MODEL, size, 0, null);
            } catch (EOFException e) {
                throw new MalformedException("truncated at byte " + position);
            }
            return Optional.ofNullable(found);
        }

        /** What one TensorProto (or one of its external_data entries) said. */
        private static final class Seen {
            String name = "";
            String fullName = "";
            String location = "";
            boolean external;
            // in an entry: its key and value
            String key;
            String value;
            // in a tensor: its raw_data field (9), if it has exactly one
            OnnxProofHeader.Span rawData;
            int rawDataFields;
        }

        /** Where the main graph's large raw_data weights lie; none if the model has more than one graph field. */
        OnnxProofHeader.Layout layout() {
            return graphFields == 1 ? new OnnxProofHeader.Layout(graph, List.copyOf(inline))
                    : new OnnxProofHeader.Layout(null, List.of());
        }

        /** The main graph's inputs (less those that are initializers, as ONNX Runtime lists them) and outputs. */
        Signature signature() throws InvalidModelException {
            List<TensorSpec> in = new ArrayList<>();
            for (OnnxValueInfo input : inputs) {
                if (!initializers.contains(input.name())) {
                    in.add(input.spec());
                }
            }
            List<TensorSpec> out = new ArrayList<>();
            for (OnnxValueInfo output : outputs) {
                out.add(output.spec());
            }
            return new Signature(in, out);
        }

        private Seen message(Kind kind, long end, int depth, Seen owner) throws IOException, MalformedException {
            if (depth > MAX_DEPTH) {
                throw new MalformedException("messages nested more than " + MAX_DEPTH + " deep");
            }
            Seen tensor = kind == Kind.TENSOR ? new Seen() : null;
            Seen entry = kind == Kind.ENTRY ? new Seen() : null;
            while (position < end && found == null) {
                long fieldStart = position;
                long tag = varint();
                int field = (int) (tag >>> 3);
                int wireType = (int) (tag & 7);
                if (field == 0 || tag >>> 32 != 0) {
                    throw new MalformedException("invalid field tag at byte " + position);
                }
                switch (wireType) {
                    case 0 -> {
                        long value = varint();
                        if (kind == Kind.TENSOR && field == 14 && value != 0) {
                            tensor.external = true; // data_location: anything but DEFAULT (0)
                        }
                    }
                    case 1 -> skip(8);
                    case 5 -> skip(4);
                    case 2 -> {
                        long length = varint();
                        if (length < 0 || length > end - position) {
                            throw new MalformedException("a field at byte " + position + " is longer than its message");
                        }
                        Kind child = child(kind, field);
                        boolean mainGraph = kind == Kind.GRAPH && depth == 1;
                        var span = new OnnxProofHeader.Span(fieldStart, position, length);
                        if (kind == Kind.MODEL && field == 7) {
                            graph = span;
                            graphFields++;
                        }
                        if (child != null) {
                            if (kind == Kind.TENSOR) {
                                tensor.external = true; // external_data has an entry
                            }
                            Seen seen = message(child, position + length, depth + 1, tensor);
                            if (mainGraph && field == 5 && seen != null) {
                                initializers.add(seen.fullName);
                                if (seen.rawDataFields == 1 && seen.rawData.length() >= OnnxProofHeader.MIN_EXTERNAL) {
                                    inline.add(new OnnxProofHeader.Inline(span, seen.rawData));
                                }
                            }
                        } else if (mainGraph && (field == 11 || field == 12)) {
                            (field == 11 ? inputs : outputs).add(valueInfo(position + length));
                        } else if (kind == Kind.TENSOR && field == 8) {
                            tensor.fullName = new String(bytes(length), StandardCharsets.UTF_8);
                            tensor.name = shown(tensor.fullName);
                        } else if (kind == Kind.ENTRY && (field == 1 || field == 2)) {
                            String text = string(length);
                            if (field == 1) {
                                entry.key = text;
                            } else {
                                entry.value = text;
                            }
                        } else {
                            if (kind == Kind.TENSOR && field == 9) {
                                tensor.rawData = span;
                                tensor.rawDataFields++;
                            }
                            skip(length);
                        }
                    }
                    default -> throw new MalformedException("wire type " + wireType + " at byte " + position
                            + " (protobuf groups and reserved types do not occur in ONNX models)");
                }
                if (position > end) {
                    throw new MalformedException("a field at byte " + position + " runs past the end of its message");
                }
            }
            if (found != null) {
                return null;
            }
            if (entry != null && "location".equals(entry.key) && entry.value != null) {
                owner.location = entry.value;
            }
            if (tensor != null && tensor.external) {
                found = new Reference(tensor.name, tensor.location);
            }
            return tensor;
        }

        private long varint() throws IOException, MalformedException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = read();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new MalformedException("a varint longer than 10 bytes at byte " + position);
        }

        private int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            position++;
            return b;
        }

        private void skip(long length) throws IOException {
            long left = length;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    read(); // skip made no progress: read a byte to see whether the file ended
                    skipped = 1;
                } else {
                    position += skipped;
                }
                left -= skipped;
            }
        }

        /**
         * A ValueInfoProto: name (1), type (2: TypeProto). TypeProto.tensor_type (1: elem_type 1, shape 2); any other
         * type (sequence, map, optional, sparse) is recorded as not a tensor. TensorShapeProto.dim (1: dim_value 1,
         * dim_param 2); a dimension without a value is dynamic, as ONNX Runtime reports it.
         */
        private OnnxValueInfo valueInfo(long end) throws IOException, MalformedException {
            OnnxValueInfo.Builder info = new OnnxValueInfo.Builder();
            fields(end, (field, wireType, length) -> {
                if (field == 1 && wireType == 2) {
                    info.name = new String(bytes(length), StandardCharsets.UTF_8);
                } else if (field == 2 && wireType == 2) {
                    fields(position + length, (typeField, typeWire, typeLength) -> {
                        if (typeField == 1 && typeWire == 2) {
                            info.tensor = true;
                            fields(position + typeLength, (tensorField, tensorWire, tensorLength) -> {
                                if (tensorField == 1 && tensorWire == 0) {
                                    info.elementType = (int) tensorLength;
                                } else if (tensorField == 2 && tensorWire == 2) {
                                    info.shaped = true;
                                    fields(position + tensorLength, (dimsField, dimsWire, dimsLength) -> {
                                        if (dimsField == 1 && dimsWire == 2) {
                                            long[] dim = {TensorSpec.DYNAMIC};
                                            fields(position + dimsLength, (dimField, dimWire, dimValue) -> {
                                                if (dimField == 1 && dimWire == 0) {
                                                    dim[0] = dimValue;
                                                } else {
                                                    skipValue(dimWire, dimValue);
                                                }
                                            });
                                            info.shape.add(dim[0] < 0 ? TensorSpec.DYNAMIC : dim[0]);
                                        } else {
                                            skipValue(dimsWire, dimsLength);
                                        }
                                    });
                                } else {
                                    skipValue(tensorWire, tensorLength);
                                }
                            });
                        } else {
                            skipValue(typeWire, typeLength);
                        }
                    });
                } else {
                    skipValue(wireType, length);
                }
            });
            return info.build();
        }

        /** What to do with one field: varints arrive as {@code value}, length-delimited fields as their length. */
        private interface Field {
            void accept(int field, int wireType, long value) throws IOException, MalformedException;
        }

        /** Reads the fields of a message ending at {@code end}; the handler must consume each field's payload. */
        private void fields(long end, Field handler) throws IOException, MalformedException {
            while (position < end) {
                long tag = varint();
                int field = (int) (tag >>> 3);
                int wireType = (int) (tag & 7);
                if (field == 0 || tag >>> 32 != 0) {
                    throw new MalformedException("invalid field tag at byte " + position);
                }
                switch (wireType) {
                    case 0 -> handler.accept(field, 0, varint());
                    case 1 -> skip(8);
                    case 5 -> skip(4);
                    case 2 -> {
                        long length = varint();
                        if (length < 0 || length > end - position) {
                            throw new MalformedException("a field at byte " + position + " is longer than its message");
                        }
                        handler.accept(field, 2, length);
                    }
                    default -> throw new MalformedException("wire type " + wireType + " at byte " + position
                            + " (protobuf groups and reserved types do not occur in ONNX models)");
                }
                if (position > end) {
                    throw new MalformedException("a field at byte " + position + " runs past the end of its message");
                }
            }
        }

        /** Skips a field {@link #fields} handed over: a varint was read already, a length-delimited one is skipped. */
        private void skipValue(int wireType, long value) throws IOException {
            if (wireType == 2) {
                skip(value);
            }
        }

        /** A whole length-delimited field: names, which must be compared whole (at most {@value #MAX_NAME} bytes). */
        private byte[] bytes(long length) throws IOException, MalformedException {
            if (length > MAX_NAME) {
                throw new MalformedException("a name of " + length + " bytes at byte " + position + " (at most "
                        + MAX_NAME + ")");
            }
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length < length) {
                throw new EOFException();
            }
            position += length;
            return bytes;
        }

        /** A string field, at most {@value #MAX_SHOWN} characters of it, control characters replaced. */
        private String string(long length) throws IOException {
            int shown = (int) Math.min(length, MAX_SHOWN);
            byte[] bytes = in.readNBytes(shown);
            if (bytes.length < shown) {
                throw new EOFException();
            }
            position += shown;
            skip(length - shown);
            String text = new String(bytes, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
            return length > shown ? text + "…" : text;
        }
    }
}
