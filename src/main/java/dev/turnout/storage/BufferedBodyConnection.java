package dev.turnout.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.security.Permission;
import java.util.List;
import java.util.Map;

/**
 * The JDK's HTTP connection with its request body sent in blocks of {@link #BLOCK}. The AWS SDK's URL-connection
 * client copies a body 4 KiB at a time into the JDK's 8 KiB socket buffer: ~141,000 {@code send()}s a GiB, each one
 * also running the receiving side's TCP work on loopback, which made a 1.1 GB PUT ~0.7 s (and ~1.5 s of CPU) slower
 * than curl's (bench/README.md, "a PUT as fast as curl's"). Every call the SDK's client makes, and every getter of the
 * response, goes to the wrapped connection; setters it never calls (e.g. {@code setIfModifiedSince}) are not passed on.
 */
final class BufferedBodyConnection extends HttpURLConnection {

    /** How much of a body is gathered before it goes to the socket: heap per PUT in flight. */
    static final int BLOCK = 1 << 20;

    private final HttpURLConnection connection;
    private OutputStream body;

    private BufferedBodyConnection(HttpURLConnection connection) {
        super(connection.getURL());
        this.connection = connection;
    }

    /** A connection to {@code uri} (the SDK's connection factory): only http(s) URLs reach it. */
    static HttpURLConnection open(URI uri) throws IOException {
        return new BufferedBodyConnection((HttpURLConnection) uri.toURL().openConnection());
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        if (body == null) {
            // the last block goes out when it is closed or when the response is first asked for (sendBody)
            body = new BufferedOutputStream(connection.getOutputStream(), BLOCK);
        }
        return body;
    }

    /**
     * Sends what is left of the body before anything of the response is asked for: the SDK does not close the body's
     * stream, and the JDK counts a fixed-length body short ("insufficient data written") unless every byte reached it.
     */
    private void sendBody() throws IOException {
        if (body != null) {
            body.flush();
        }
    }

    /** {@link #sendBody} for the header getters, which cannot throw: the JDK's own call right after reports a failure. */
    private void sendBodyQuietly() {
        try {
            sendBody();
        } catch (IOException e) {
            // the wrapped connection's answer to the same call says what went wrong
        }
    }

    @Override
    public void connect() throws IOException {
        connection.connect();
    }

    @Override
    public void disconnect() {
        connection.disconnect();
    }

    @Override
    public boolean usingProxy() {
        return connection.usingProxy();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        sendBody();
        return connection.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        sendBodyQuietly();
        return connection.getErrorStream();
    }

    @Override
    public int getResponseCode() throws IOException {
        sendBody();
        return connection.getResponseCode();
    }

    @Override
    public String getResponseMessage() throws IOException {
        sendBody();
        return connection.getResponseMessage();
    }

    @Override
    public String getHeaderField(String name) {
        sendBodyQuietly();
        return connection.getHeaderField(name);
    }

    @Override
    public String getHeaderField(int n) {
        sendBodyQuietly();
        return connection.getHeaderField(n);
    }

    @Override
    public String getHeaderFieldKey(int n) {
        sendBodyQuietly();
        return connection.getHeaderFieldKey(n);
    }

    @Override
    public Map<String, List<String>> getHeaderFields() {
        sendBodyQuietly();
        return connection.getHeaderFields();
    }

    @Override
    public long getContentLengthLong() {
        sendBodyQuietly();
        return connection.getContentLengthLong();
    }

    @Override
    public String getContentType() {
        sendBodyQuietly();
        return connection.getContentType();
    }

    @Override
    public void setRequestMethod(String method) throws java.net.ProtocolException {
        connection.setRequestMethod(method);
    }

    @Override
    public String getRequestMethod() {
        return connection.getRequestMethod();
    }

    @Override
    public void setRequestProperty(String key, String value) {
        connection.setRequestProperty(key, value);
    }

    @Override
    public void addRequestProperty(String key, String value) {
        connection.addRequestProperty(key, value);
    }

    @Override
    public String getRequestProperty(String key) {
        return connection.getRequestProperty(key);
    }

    @Override
    public Map<String, List<String>> getRequestProperties() {
        return connection.getRequestProperties();
    }

    @Override
    public void setDoOutput(boolean doOutput) {
        connection.setDoOutput(doOutput);
    }

    @Override
    public boolean getDoOutput() {
        return connection.getDoOutput();
    }

    @Override
    public void setDoInput(boolean doInput) {
        connection.setDoInput(doInput);
    }

    @Override
    public boolean getDoInput() {
        return connection.getDoInput();
    }

    @Override
    public void setInstanceFollowRedirects(boolean follow) {
        connection.setInstanceFollowRedirects(follow);
    }

    @Override
    public boolean getInstanceFollowRedirects() {
        return connection.getInstanceFollowRedirects();
    }

    @Override
    public void setConnectTimeout(int timeout) {
        connection.setConnectTimeout(timeout);
    }

    @Override
    public int getConnectTimeout() {
        return connection.getConnectTimeout();
    }

    @Override
    public void setReadTimeout(int timeout) {
        connection.setReadTimeout(timeout);
    }

    @Override
    public int getReadTimeout() {
        return connection.getReadTimeout();
    }

    @Override
    public void setChunkedStreamingMode(int chunkLength) {
        connection.setChunkedStreamingMode(chunkLength);
    }

    @Override
    public void setFixedLengthStreamingMode(int contentLength) {
        connection.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public void setFixedLengthStreamingMode(long contentLength) {
        connection.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public void setUseCaches(boolean useCaches) {
        connection.setUseCaches(useCaches);
    }

    @Override
    public boolean getUseCaches() {
        return connection.getUseCaches();
    }

    @Override
    public Permission getPermission() throws IOException {
        return connection.getPermission();
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
