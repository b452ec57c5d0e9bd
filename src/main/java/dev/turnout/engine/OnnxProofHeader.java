package dev.turnout.engine;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * A small ONNX model for the upload's proof that points into the uploaded file for its large weights. Parsing a
 * 1 GiB protobuf makes ONNX Runtime copy every weight into fresh memory before it even starts (issue 12): the header
 * is the uploaded ModelProto with each large main-graph initializer's {@code raw_data} (TensorProto field 9) cut out
 * and replaced by {@code data_location = EXTERNAL} with {@code external_data {location: <the upload's file name>,
 * offset, length}} naming those same bytes, which ONNX Runtime then maps from the file instead.
 *
 * <p>Only the proof uses it; the artifact stored and served is the uploaded file, byte for byte. The header is built
 * from the walk {@link OnnxExternalData} already makes (it refuses models with external data of their own, so every
 * location in a header is one this class wrote), copying every other byte as it is: the header holds the same
 * graph, nodes and small tensors, so ONNX Runtime checks the same things. Everything the header cannot express
 * falls back to loading the original (see {@link ModelLoader}).
 */
final class OnnxProofHeader {

    /** Protobuf's size limit for one message (2 GiB - 1), which ONNX Runtime applies to a model file. */
    static final long MAX_PROTOBUF = Integer.MAX_VALUE;

    /** Smallest raw_data moved out of the header (onnx's own convert_model_to_external_data uses 1 KiB). */
    static final long MIN_EXTERNAL = 1024;

    /** A length-delimited field: where its tag starts, where its payload starts, and the payload's length. */
    record Span(long fieldStart, long payloadStart, long length) {
        long end() {
            return payloadStart + length;
        }
    }

    /** One main-graph initializer (GraphProto field 5) and its raw_data field inside it. */
    record Inline(Span tensor, Span rawData) {
    }

    /** The one ModelProto.graph field and its initializers to move out, in file order; none if graph is null. */
    record Layout(Span graph, List<Inline> tensors) {
        boolean worthAHeader() {
            return graph != null && !tensors.isEmpty();
        }
    }

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int EXTERNAL = 1;

    private OnnxProofHeader() {
    }

    /**
     * Writes the header beside {@code model} (ONNX Runtime resolves a location against the header's directory).
     *
     * @return the header, which the caller deletes; empty when the layout has nothing to move out
     */
    static Optional<Path> write(Path model, Layout layout) throws IOException {
        // ONNX Runtime parses a whole model file as one protobuf, which cannot exceed 2 GiB - 1: such a file must be
        // refused as it is, not proven through a header that would load (and then never load on a replica).
        if (!layout.worthAHeader() || Files.size(model) >= MAX_PROTOBUF) {
            return Optional.empty();
        }
        String location = model.getFileName().toString();
        Path header = Files.createTempFile(model.toAbsolutePath().getParent(), "proof-", ".onnx");
        try (FileChannel in = FileChannel.open(model, StandardOpenOption.READ);
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(header), 64 * 1024)) {
            write(in, out, layout, location);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(header);
            throw e;
        }
        return Optional.of(header);
    }

    private static void write(FileChannel in, OutputStream out, Layout layout, String location) throws IOException {
        Span graph = layout.graph();
        byte[][] references = new byte[layout.tensors().size()][];
        long graphLength = graph.length();
        for (int i = 0; i < references.length; i++) {
            Inline tensor = layout.tensors().get(i);
            references[i] = externalFields(location, tensor.rawData());
            long length = tensorLength(tensor, references[i]);
            graphLength += fieldSize(GRAPH_INITIALIZER, length) - (tensor.tensor().end() - tensor.tensor().fieldStart());
        }
        copy(in, 0, graph.fieldStart(), out);
        writeFieldHead(out, MODEL_GRAPH, graphLength);
        long cursor = graph.payloadStart();
        for (int i = 0; i < references.length; i++) {
            Inline tensor = layout.tensors().get(i);
            copy(in, cursor, tensor.tensor().fieldStart(), out);
            writeFieldHead(out, GRAPH_INITIALIZER, tensorLength(tensor, references[i]));
            copy(in, tensor.tensor().payloadStart(), tensor.rawData().fieldStart(), out);
            copy(in, tensor.rawData().end(), tensor.tensor().end(), out);
            out.write(references[i]);
            cursor = tensor.tensor().end();
        }
        copy(in, cursor, in.size(), out);
    }

    /** The tensor's payload once its raw_data field is replaced by {@code references}. */
    private static long tensorLength(Inline tensor, byte[] references) {
        return tensor.tensor().length() - (tensor.rawData().end() - tensor.rawData().fieldStart()) + references.length;
    }

    /** TensorProto.external_data entries (location, offset, length) and data_location = EXTERNAL. */
    private static byte[] externalFields(String location, Span rawData) {
        ByteArrayOutputStream fields = new ByteArrayOutputStream();
        entry(fields, "location", location);
        entry(fields, "offset", Long.toString(rawData.payloadStart()));
        entry(fields, "length", Long.toString(rawData.length()));
        varint(fields, (long) TENSOR_DATA_LOCATION << 3);
        varint(fields, EXTERNAL);
        return fields.toByteArray();
    }

    /** One StringStringEntryProto (key 1, value 2) in TensorProto.external_data. */
    private static void entry(ByteArrayOutputStream out, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        long length = fieldSize(1, k.length) + fieldSize(2, v.length);
        varint(out, (long) TENSOR_EXTERNAL_DATA << 3 | 2);
        varint(out, length);
        varint(out, 1 << 3 | 2);
        varint(out, k.length);
        out.writeBytes(k);
        varint(out, 2 << 3 | 2);
        varint(out, v.length);
        out.writeBytes(v);
    }

    private static long fieldSize(int field, long length) {
        return varintSize((long) field << 3 | 2) + varintSize(length) + length;
    }

    private static void writeFieldHead(OutputStream out, int field, long length) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(20);
        varint(head, (long) field << 3 | 2);
        varint(head, length);
        head.writeTo(out);
    }

    private static void copy(FileChannel in, long from, long to, OutputStream out) throws IOException {
        if (to > from) {
            in.position(from);
            long left = to - from;
            var source = Channels.newInputStream(in);
            byte[] buffer = new byte[(int) Math.min(left, 64 * 1024)];
            while (left > 0) {
                int n = source.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("the model ended at byte " + (to - left) + " while its header was written");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.write((int) (rest & 0x7F) | 0x80);
            rest >>>= 7;
        }
        out.write((int) rest);
    }

    private static int varintSize(long value) {
        int size = 1;
        for (long rest = value >>> 7; rest != 0; rest >>>= 7) {
            size++;
        }
        return size;
    }
}
