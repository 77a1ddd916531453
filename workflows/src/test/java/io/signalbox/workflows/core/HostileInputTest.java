package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.await;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoRunbookMocks;
import io.signalbox.workflows.demo.DemoRunbookWorkflow;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.signalbox.workflows.gitea.GiteaDbMigrationInput;
import io.signalbox.workflows.gitea.GiteaDbMigrationWorkflow;
import io.signalbox.workflows.gitea.GiteaDbMigrationWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Input a person could send that must not hurt a run: signals with megabyte names and comments, and
 * inputs that pass the schema but cannot work (refused at start, naming the field).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MEGABYTE = "m".repeat(1 << 20);

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              DemoRunbookWorkflowImpl.class, GiteaDbMigrationWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final DemoRunbookMocks mocks = new DemoRunbookMocks(in -> in.workflowId());
  private final DemoActivities steps = mocks.steps;
  private final InputActivities inputs = mocks.inputs;
  private final EvidenceActivities evidence = mocks.evidence;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    mocks.register(env, worker, client);
  }

  private WorkflowStub start(String type, String json) throws Exception {
    return mocks.start(type, json);
  }

  // ------------------------------------------------------------ signals

  @Test
  void signalsWithMegabyteNamesAreRefusedAndLongTextsAreCut() throws Exception {
    WorkflowStub stub =
        start(DemoRunbookWorkflow.TYPE, "{\"requestedBy\": \"carol\", \"label\": \"db1\"}");
    atGate(stub, "go");

    stub.signal("approve", new Signals.Approve("go", MEGABYTE, "ok", null));
    stub.signal("reject", new Signals.Reject("go", MEGABYTE, MEGABYTE));
    stub.signal("pause", new Signals.Pause(MEGABYTE, MEGABYTE));
    stub.signal("resume", new Signals.Resume(MEGABYTE));
    stub.signal("approve", new Signals.Approve(MEGABYTE, "bob", MEGABYTE, MEGABYTE));
    RunbookStatus status = await(stub, s -> s.approvals().size() == 5);

    assertThat(status.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(status.pausedBy()).isNull();
    assertThat(status.pendingGate().approvedBy()).isEmpty();
    assertThat(status.approvals())
        .allSatisfy(a -> assertThat(a.decision()).isEqualTo(ApprovalRecord.REFUSED))
        .extracting(ApprovalRecord::refusal)
        .satisfiesExactly(
            r -> assertThat(r).contains("has 1048576 characters; at most 200"),
            r -> assertThat(r).contains("has 1048576 characters; at most 200"),
            r -> assertThat(r).startsWith("pause refused"),
            r -> assertThat(r).startsWith("resume refused"),
            r -> assertThat(r).startsWith("gate 'mmm").contains("[cut: 1048576 characters]"));
    // Nothing a person sent is kept at full length: the whole status is a few kilobytes.
    assertThat(JSON.writeValueAsString(status).length()).isLessThan(20_000);

    // A pause with a megabyte reason is taken, its reason cut.
    stub.signal("pause", new Signals.Pause("dave", MEGABYTE));
    RunbookStatus pausing = await(stub, s -> "dave".equals(s.pausedBy()));
    assertThat(pausing.pauseReason()).hasSize(Limits.TEXT).endsWith("[cut: 1048576 characters]");
    stub.signal("resume", new Signals.Resume("dave"));
    await(stub, s -> s.pausedBy() == null);

    // A real approver's megabyte comment counts, cut with a marker.
    stub.signal("approve", new Signals.Approve("go", "bob", MEGABYTE, null));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    ApprovalRecord approved = result.approvals().get(5);
    assertThat(approved.decision()).isEqualTo(ApprovalRecord.APPROVED);
    assertThat(approved.comment()).hasSize(Limits.TEXT).endsWith("[cut: 1048576 characters]");
    assertThat(JSON.writeValueAsString(result).length()).isLessThan(30_000);
  }

  @Test
  void aMegabyteRejectionReasonIsCutInTheFailure() throws Exception {
    WorkflowStub stub =
        start(DemoRunbookWorkflow.TYPE, "{\"requestedBy\": \"carol\", \"label\": \"db1\"}");
    atGate(stub, "go");
    stub.signal("reject", new Signals.Reject("go", "bob", MEGABYTE));
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("GateRejected");
    assertThat(failure.getOriginalMessage()).hasSizeLessThan(3_000).contains("[cut: 1048576");
  }

  // ------------------------------------------------------------ inputs that cannot work

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          more approvals than approvers | "approvals": {"approvers": ["alice", "bob"], "minApprovals": 3} | $.approvals.minApprovals: 3 distinct approvals are needed but the approvers list has 2
          the requester cannot approve  | "approvals": {"approvers": ["carol", "bob"], "minApprovals": 2} | $.approvals.minApprovals: 2 distinct approvals are needed but only 1 of the approvers may approve
          a timeout java cannot hold    | "approvals": {"timeout": "PT99999999999999999999H"}             | $.approvals.timeout: 'PT99999999999999999999H' is not a usable ISO-8601 duration
          a zero gate timeout           | "approvals": {"timeout": "PT0S"}                                | $.approvals.timeout: PT0S must be longer than zero
          """)
  void aDemoInputThatCannotWorkFailsAtOnce(String name, String approvals, String expected)
      throws Exception {
    WorkflowStub stub =
        start(
            DemoRunbookWorkflow.TYPE,
            "{\"requestedBy\": \"carol\", \"label\": \"db1\", " + approvals + "}");
    assertInvalid(stub, expected);
    verify(steps, never()).inspect(any());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          scale wait beyond the Kubernetes step | "app": {"namespace": "gitea", "deployment": "gitea", "timeout": "PT30M"} | $.app.timeout: PT30M is longer than PT19M
          command beyond its step               | "switch": {"command": {"argv": ["true"], "timeout": "PT2H"}}             | $.switch.command.timeout: PT2H is longer than PT59M
          health check beyond its step          | "healthCheck": {"url": "http://app/healthz", "timeout": "PT1H"}          | $.healthCheck.timeout: PT1H is longer than PT39M
          interval beyond the heartbeat         | "healthCheck": {"url": "http://app/healthz", "interval": "PT2M"}         | $.healthCheck.interval: PT2M is longer than PT50S
          interval beyond the check's timeout   | "healthCheck": {"url": "http://app/healthz", "timeout": "PT10S", "interval": "PT30S"} | $.healthCheck.interval: PT30S is longer than $.healthCheck.timeout PT10S
          a zero interval                       | "healthCheck": {"url": "http://app/healthz", "interval": "PT0S"}         | $.healthCheck.interval: PT0S must be longer than zero
          """)
  void aGiteaInputThatCannotWorkFailsAtOnce(String name, String part, String expected)
      throws Exception {
    String endpoint = "{\"host\": \"db\", \"database\": \"gitea\", \"user\": \"gitea\"}";
    WorkflowStub stub =
        start(
            GiteaDbMigrationWorkflow.TYPE,
            "{\"requestedBy\": \"carol\", \"source\": "
                + endpoint
                + ", \"target\": "
                + endpoint
                + ", "
                + part
                + "}");
    assertInvalid(stub, expected);
  }

  @Test
  void aGiteaInputAtTheLimitsHasNoProblems() throws Exception {
    String endpoint = "{\"host\": \"db\", \"database\": \"gitea\", \"user\": \"gitea\"}";
    GiteaDbMigrationInput atLimits =
        Json.map(
            JSON.readTree(
                "{\"requestedBy\": \"carol\", \"source\": "
                    + endpoint
                    + ", \"target\": "
                    + endpoint
                    + ", \"approvals\": {\"approvers\": [\"carol\", \"bob\"], \"timeout\": \"P366D\"},"
                    + " \"app\": {\"namespace\": \"g\", \"deployment\": \"g\", \"timeout\": \"PT19M\"},"
                    + " \"switch\": {\"command\": {\"argv\": [\"true\"], \"timeout\": \"PT59M\"}},"
                    + " \"healthCheck\": {\"url\": \"http://a\", \"timeout\": \"PT39M\","
                    + " \"interval\": \"PT50S\"}}"),
            GiteaDbMigrationInput.class);
    assertThat(atLimits.problems()).isEmpty();
    // problems() is a check, not a field: the input turned back into JSON does not carry it.
    assertThat(Json.tree(atLimits).has("problems")).isFalse();
  }

  private void assertInvalid(WorkflowStub stub, String expected) {
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains(expected);
    verify(evidence).record(argThat(e -> "InvalidInput".equals(e.result().failureType())));
  }
}
