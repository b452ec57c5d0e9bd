package dev.turnout.storage;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

import java.net.URI;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The signer that takes a PUT's payload hash from its content address signs exactly as the SDK's SigV4 signer does when
 * that signer hashes the same bytes itself (the SDK's output is the reference), and never reads the body to do it.
 */
class ContentHashSignerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T18:10:11Z"), ZoneOffset.UTC);
    private final byte[] bytes = new byte[100_000];
    private final String sha256;

    ContentHashSignerTest() throws Exception {
        new Random(3).nextBytes(bytes);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void signsAsTheSdkDoesWhenItHashesTheBody() {
        for (AwsCredentialsIdentity identity : new AwsCredentialsIdentity[] {
                AwsCredentialsIdentity.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                AwsSessionCredentialsIdentity.create("ASIAEXAMPLE", "secret", "a session token")}) {
            for (String endpoint : new String[] {"http://127.0.0.1:18090", "https://bucket.s3.amazonaws.com"}) {
                SdkHttpRequest put = put(endpoint);
                SignedRequest reference = sign(AwsV4HttpSigner.create(), put, identity,
                        ContentStreamProvider.fromByteArray(bytes));
                SignedRequest ours = sign(new ContentHashSigner(), put.toBuilder()
                        .putHeader(ContentHashSigner.CONTENT_SHA256, sha256).build(), identity, unreadable());

                assertEquals(reference.request().headers(), ours.request().headers(), endpoint);
                assertEquals(sha256, ours.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
            }
        }
    }

    @Test
    void anotherHashGivesAnotherSignature() {
        AwsCredentialsIdentity identity = AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret");
        SdkHttpRequest put = put("http://127.0.0.1:18090");
        String signature = authorization(sign(new ContentHashSigner(),
                put.toBuilder().putHeader(ContentHashSigner.CONTENT_SHA256, sha256).build(), identity, unreadable()));
        String other = "0".repeat(64);
        assertNotEquals(signature, authorization(sign(new ContentHashSigner(),
                put.toBuilder().putHeader(ContentHashSigner.CONTENT_SHA256, other).build(), identity, unreadable())));
    }

    @Test
    void requestsWithoutAContentHashAreSignedByTheSdk() {
        AwsCredentialsIdentity identity = AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret");
        SdkHttpRequest part = put("http://127.0.0.1:18090").toBuilder()
                .putRawQueryParameter("partNumber", "2").putRawQueryParameter("uploadId", "u p").build();
        ContentStreamProvider body = ContentStreamProvider.fromByteArray(bytes);
        SignedRequest reference = sign(AwsV4HttpSigner.create(), part, identity, body);
        SignedRequest ours = sign(new ContentHashSigner(), part, identity, body);
        assertEquals(reference.request().headers(), ours.request().headers());
        assertEquals(sha256, ours.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
        assertSame(body, ours.payload().orElseThrow());
    }

    private SdkHttpRequest put(String endpoint) {
        return SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create(endpoint))
                .encodedPath("/turnout/registry/sha256/" + sha256.substring(0, 2) + "/" + sha256)
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Content-Length", String.valueOf(bytes.length))
                .putHeader("Expect", "100-continue")
                .putHeader("User-Agent", "aws-sdk-java/2.44.6")
                .putHeader("amz-sdk-invocation-id", "5c0d3c43-2b49-4a0c-9f43-2c3bb7ad14a4")
                .putHeader("amz-sdk-request", "attempt=1; max=4")
                .build();
    }

    private static SignedRequest sign(HttpSigner<AwsCredentialsIdentity> signer, SdkHttpRequest request,
                                      AwsCredentialsIdentity identity, ContentStreamProvider body) {
        return signer.sign(SignRequest.builder(identity).request(request).payload(body)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false) // as S3's auth scheme sets them
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true) // the SDK's hash over HTTPS too
                .putProperty(HttpSigner.SIGNING_CLOCK, CLOCK)
                .build());
    }

    private static String authorization(SignedRequest signed) {
        return signed.request().firstMatchingHeader("Authorization").orElseThrow();
    }

    /** A body the signer must not read: the bytes are read once, when they are sent. */
    private static ContentStreamProvider unreadable() {
        return () -> {
            throw new AssertionError("the body was read to sign it");
        };
    }
}
