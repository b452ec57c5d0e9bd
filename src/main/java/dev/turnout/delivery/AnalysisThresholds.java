package dev.turnout.delivery;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a candidate must meet. A canary is judged on {@code maxErrorRate} (errors / requests, errors being engine
 * failures and non-finite outputs) and {@code maxP99Ratio} (candidate p99 / active p99), each once the candidate has
 * {@code minRequests} in the step; a shadow on {@code maxDisagreement}. Null: not checked.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalysisThresholds(@JsonProperty("max_error_rate") Double maxErrorRate,
                                 @JsonProperty("max_p99_ratio") Double maxP99Ratio,
                                 @JsonProperty("min_requests") long minRequests,
                                 @JsonProperty("max_disagreement") Double maxDisagreement) {
}
