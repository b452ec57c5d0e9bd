package dev.turnout.console.rest;

import dev.turnout.console.ConsoleSession;
import dev.turnout.console.ConsoleViews;
import dev.turnout.console.LiveRates;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import dev.turnout.registry.ModelInfo;
import dev.turnout.registry.VersionInfo;
import dev.turnout.rollout.ActivationRecord;
import dev.turnout.rollout.ReplicaState;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateExtension;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.stream.Collectors;

/** The types the console's templates read (Quarkus generates their value resolvers), and formatting helpers. */
@TemplateData(target = ConsoleSession.class)
@TemplateData(target = ConsoleViews.Live.class)
@TemplateData(target = ConsoleViews.ModelPage.class)
@TemplateData(target = ConsoleViews.VersionRate.class)
@TemplateData(target = LiveRates.Rate.class)
@TemplateData(target = ModelInfo.class)
@TemplateData(target = VersionInfo.class)
@TemplateData(target = ActivationRecord.class)
@TemplateData(target = ReplicaState.class)
@TemplateData(target = Signature.class)
@TemplateData(target = TensorSpec.class)
@TemplateExtension
final class ConsoleTemplateData {

    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private ConsoleTemplateData() {
    }

    /** A shape to start a "try it" request from: each dynamic dimension (-1) as 1. */
    static String exampleShape(TensorSpec spec) {
        return spec.shape().stream().map(d -> d == TensorSpec.DYNAMIC ? "1" : Long.toString(d))
                .collect(Collectors.joining(","));
    }

    /** A time to the second, in UTC (the full instant is in the time element's datetime attribute). */
    static String shown(Instant time) {
        return time == null ? "" : SHOWN.format(time);
    }

    /** The first 12 hex digits of a digest, enough to tell versions apart on screen. */
    static String shortDigest(String sha256) {
        return sha256 == null ? "" : sha256.substring(0, Math.min(12, sha256.length()));
    }
}
