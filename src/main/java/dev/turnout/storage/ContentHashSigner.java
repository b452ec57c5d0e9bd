package dev.turnout.storage;

import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * SigV4 for a request whose payload hash is already known. A blob's content address is the sha256 of its bytes, which
 * is exactly SigV4's payload hash ({@code x-amz-content-sha256}); the SDK's signer (2.44) cannot be given it: over
 * plain HTTP it reads the whole body once more to hash it before sending (1.1 GB: ~3 s on the critical path), and it
 * overwrites a pre-set header. So a request that carries a lower-case hex {@code x-amz-content-sha256} and no query
 * (a PutObject of a blob) is signed here with that hash; every other request goes to the SDK's signer. AWS S3 checks
 * the hash against the bytes it receives, so a body that differs from its address is refused, as with the SDK's own
 * hash (npm s3rver 3.7.1 checks the signature but not the hash).
 */
final class ContentHashSigner implements HttpSigner<AwsCredentialsIdentity> {

    static final String CONTENT_SHA256 = "x-amz-content-sha256";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    // the headers the SDK's signer leaves unsigned (proxies and clients may change them)
    private static final Set<String> UNSIGNED = Set.of("connection", "x-amzn-trace-id", "user-agent", "expect",
            "transfer-encoding", "x-forwarded-for");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private final HttpSigner<AwsCredentialsIdentity> sdk = AwsV4HttpSigner.create();

    /** The SDK's SigV4 scheme (the one S3 resolves to) with this signer. */
    static AuthScheme<AwsCredentialsIdentity> scheme() {
        ContentHashSigner signer = new ContentHashSigner();
        return new AuthScheme<>() {
            @Override
            public String schemeId() {
                return "aws.auth#sigv4";
            }

            @Override
            public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
                return providers.identityProvider(AwsCredentialsIdentity.class);
            }

            @Override
            public HttpSigner<AwsCredentialsIdentity> signer() {
                return signer;
            }
        };
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        SdkHttpRequest http = request.request();
        String hash = http.firstMatchingHeader(CONTENT_SHA256).orElse("");
        if (!SHA256_HEX.matcher(hash).matches() || !http.rawQueryParameters().isEmpty()
                || request.identity().accessKeyId() == null) {
            return sdk.sign(request);
        }
        Clock clock = request.requireProperty(SIGNING_CLOCK, Clock.systemUTC());
        String region = request.requireProperty(AwsV4HttpSigner.REGION_NAME);
        String service = request.requireProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME);
        var now = clock.instant();
        String scope = DAY.format(now) + "/" + region + "/" + service + "/aws4_request";

        SdkHttpRequest.Builder signed = http.toBuilder();
        if (http.firstMatchingHeader("Host").isEmpty()) {
            signed.putHeader("Host", SdkHttpUtils.isUsingStandardPort(http.protocol(), http.port())
                    ? http.host() : http.host() + ":" + http.port());
        }
        signed.putHeader("X-Amz-Date", TIME.format(now));
        if (request.identity() instanceof AwsSessionCredentialsIdentity session) {
            signed.putHeader("X-Amz-Security-Token", session.sessionToken());
        }
        TreeMap<String, String> headers = new TreeMap<>();
        signed.forEachHeader((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!UNSIGNED.contains(lower)) {
                headers.merge(lower, canonicalValues(values), (a, b) -> a + "," + b);
            }
        });
        StringBuilder canonicalHeaders = new StringBuilder();
        headers.forEach((name, value) -> canonicalHeaders.append(name).append(':').append(value).append('\n'));
        String signedHeaders = String.join(";", headers.keySet());
        // S3's canonical URI is the encoded path as sent: neither normalized nor encoded twice
        String path = http.encodedPath().isEmpty() ? "/" : http.encodedPath();
        String canonicalRequest = http.method().name() + "\n" + path + "\n\n" + canonicalHeaders + "\n"
                + signedHeaders + "\n" + hash;
        String stringToSign = ALGORITHM + "\n" + TIME.format(now) + "\n" + scope + "\n"
                + HexFormat.of().formatHex(sha256(canonicalRequest));

        AwsCredentialsIdentity credentials = request.identity();
        byte[] key = hmac(("AWS4" + credentials.secretAccessKey()).getBytes(StandardCharsets.UTF_8), DAY.format(now));
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        String signature = HexFormat.of().formatHex(hmac(key, stringToSign));
        signed.putHeader("Authorization", ALGORITHM + " Credential=" + credentials.accessKeyId() + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
        return SignedRequest.builder().request(signed.build()).payload(request.payload().orElse(null)).build();
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return sdk.signAsync(request); // the store's client is synchronous
    }

    private static String canonicalValues(List<String> values) {
        List<String> trimmed = values.stream().map(v -> v == null ? "" : v.trim().replaceAll(" +", " ")).toList();
        return String.join(",", trimmed);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
