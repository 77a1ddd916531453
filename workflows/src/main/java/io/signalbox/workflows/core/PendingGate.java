package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The gate a run waits at.
 *
 * @param gate its name
 * @param prompt what the approver is asked
 * @param since when it opened (ISO-8601)
 * @param deadline when it rejects itself (ISO-8601)
 * @param approvers who may approve; empty means anyone
 * @param needed how many distinct approvers open it
 * @param approvedBy who has approved so far
 * @param report what the approver decides on (e.g. the verification report)
 * @param planDigest SHA-256 of the report; an approval may quote it
 */
public record PendingGate(
    String gate,
    String prompt,
    String since,
    String deadline,
    List<String> approvers,
    int needed,
    List<String> approvedBy,
    JsonNode report,
    String planDigest) {}
