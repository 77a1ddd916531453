package io.signalbox.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.worker.DevServer;
import io.signalbox.worker.NoEvidence;
import io.signalbox.worker.SearchAttributesRegistration;
import io.signalbox.workflows.core.RunSearchAttributes;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.signalbox.workflows.demo.RecordingDemoActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in-process against a port-bound Temporal test server with a worker for the test runbook,
 * as an operator uses it: start, list, status, approve, pause/resume, and every error with its one
 * line and exit code.
 */
class CliTest {
  private static final String TASK_QUEUE = "cli-test";

  private static DevServer server;
  private static WorkflowServiceStubs stubs;
  private static WorkerFactory workers;
  private static String address;
  private static SearchAttributesRegistration searchAttributes;

  @TempDir Path dir;

  @BeforeAll
  static void startServerAndWorker() {
    server = DevServer.start(DevServer.freePort());
    address = "127.0.0.1:" + server.port();
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    // As the worker does at start-up: the dev server gets Signalbox's search attributes.
    searchAttributes = new SearchAttributesRegistration(stubs, "default", true);
    assertThat(searchAttributes.check()).containsAll(RunSearchAttributes.names());
    workers = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    Worker worker = workers.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(DemoRunbookWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new RecordingDemoActivities(),
        new InputActivitiesImpl(searchAttributes::registered),
        new NoEvidence());
    workers.start();
  }

  @AfterAll
  static void stop() {
    workers.shutdownNow();
    stubs.shutdownNow();
    server.close();
  }

  @Test
  void runbookFromStartToApprovalToCompletion() throws Exception {
    Path input = write("{\"requestedBy\": \"alice\", \"label\": \"orders\"}");

    Result started = cli("start", "DemoRunbook", "--input", input.toString(), "--id", "demo-flow");
    assertThat(started.code).as(started.err).isZero();
    assertThat(started.out).contains("Started DemoRunbook as demo-flow");

    JsonNode waiting = awaitPhase("demo-flow", "WAITING_FOR_APPROVAL");
    assertThat(waiting.path("pendingGate").path("gate").asText()).isEqualTo("go");

    Result list = cli("list");
    assertThat(list.code).as(list.err).isZero();
    assertThat(list.out)
        .containsPattern("demo-flow\\s+DemoRunbook\\s+WAITING_FOR_APPROVAL\\s+go\\s+go");

    Result status = cli("status", "demo-flow");
    assertThat(status.code).as(status.err).isZero();
    assertThat(status.out)
        .contains("Phase         WAITING_FOR_APPROVAL")
        .contains("Requested by  alice")
        .contains("Waiting at gate 'go'")
        .contains("signalbox approve demo-flow --gate go --as NAME")
        .containsPattern("inspect\\s+DONE");

    // Self-approval is refused by the run, which answers why; the gate stays open.
    Result self = cli("approve", "demo-flow", "--gate", "go", "--as", "alice");
    assertThat(self.code).isEqualTo(CliException.FAILED);
    assertThat(self.err.lines()).hasSize(1);
    assertThat(self.err)
        .contains("refused by run 'demo-flow': self-approval: alice requested this run");
    // As a signal it is fire and forget: exit 0, and the run records the refusal.
    Result signalled = cli("approve", "demo-flow", "--gate", "go", "--as", "alice", "--signal");
    assertThat(signalled.code).as(signalled.err).isZero();
    assertThat(signalled.out).contains("Sent approve to demo-flow (gate go, by alice)");
    Result approved = cli("approve", "demo-flow", "--gate", "go", "--as", "bob", "--comment", "ok");
    assertThat(approved.code).as(approved.err).isZero();
    assertThat(approved.out)
        .contains(
            "Approval 1 of 1 counted; gate 'go' is approved: the run goes on (demo-flow, gate go,"
                + " by bob)");

    JsonNode done = awaitPhase("demo-flow", "COMPLETED");
    assertThat(done.path("approvals").toString())
        .contains("\"by\":\"alice\"")
        .contains("REFUSED")
        .contains("\"by\":\"bob\"");

    // The phase is COMPLETED just before the run returns: wait until it has ended.
    WorkflowClient.newInstance(stubs)
        .newUntypedWorkflowStub("demo-flow")
        .getResult(10, java.util.concurrent.TimeUnit.SECONDS, JsonNode.class);
    Result signalEnded = cli("pause", "demo-flow", "--as", "bob");
    assertThat(signalEnded.code).isEqualTo(CliException.NOT_FOUND);
    assertThat(signalEnded.err).contains("has already ended (COMPLETED)");

    Result duplicate =
        cli("start", "DemoRunbook", "--input", input.toString(), "--id", "demo-flow");
    assertThat(duplicate.code).isEqualTo(CliException.FAILED);
    assertThat(duplicate.err).contains("already exists").doesNotContain("\tat ");
  }

  /**
   * Issue 14: a run that ended says how first (outcome, failure type, the whole message with what
   * was left), before the table; {@code --json} stays the status query's answer alone.
   */
  @Test
  void statusOfAFailedRunStartsWithItsOutcomeAndWholeMessage() throws Exception {
    Path input = write("{\"requestedBy\": \"alice\", \"label\": \"fail-freeze\"}");
    Result started =
        cli("start", "DemoRunbook", "--input", input.toString(), "--id", "demo-failed");
    assertThat(started.code).as(started.err).isZero();
    String message;
    try {
      WorkflowClient.newInstance(stubs)
          .newUntypedWorkflowStub("demo-failed")
          .getResult(20, java.util.concurrent.TimeUnit.SECONDS, JsonNode.class);
      throw new AssertionError("the run should have failed");
    } catch (io.temporal.client.WorkflowFailedException e) {
      message = ((io.temporal.failure.ApplicationFailure) e.getCause()).getOriginalMessage();
    }
    assertThat(message).contains("freeze failed as the label asked");

    Result status = cli("status", "demo-failed");
    assertThat(status.code).as(status.err).isZero();
    String[] lines = status.out.split("\\R");
    assertThat(lines[0]).isEqualTo("Outcome       ROLLED_BACK (StepFailed)");
    // The whole message, wrapped under the outcome: joined again it is the message.
    StringBuilder shown = new StringBuilder();
    for (int i = 1; i < lines.length && lines[i].startsWith("              "); i++) {
      assertThat(lines[i].length()).isLessThanOrEqualTo(14 + 100);
      shown.append(shown.isEmpty() ? "" : " ").append(lines[i].strip());
    }
    assertThat(shown.toString()).isEqualTo(message.replaceAll("\\s+", " ").strip());
    assertThat(status.out).contains("Execution     FAILED");
    assertThat(message).as("what was left").contains("Undone: freeze.");

    Result json = cli("status", "demo-failed", "--json");
    assertThat(json.code).as(json.err).isZero();
    assertThat(json.out).doesNotContain("Outcome");
    assertThat(JsonFiles.MAPPER.readTree(json.out).path("phase").asText()).isEqualTo("ROLLED_BACK");
  }

  @Test
  void pauseAndResumeAreRecorded() throws Exception {
    Path input = write("{\"requestedBy\": \"alice\"}");
    assertThat(cli("start", "DemoRunbook", "--input", input.toString(), "--id", "demo-pause").code)
        .isZero();
    awaitPhase("demo-pause", "WAITING_FOR_APPROVAL");

    Result paused = cli("pause", "demo-pause", "--as", "carol", "--reason", "lunch");
    assertThat(paused.code).as(paused.err).isZero();
    JsonNode status = await("demo-pause", s -> s.path("pausedBy").asText().equals("carol"));
    assertThat(status.path("pauseReason").asText()).isEqualTo("lunch");

    assertThat(cli("resume", "demo-pause", "--as", "carol").code).isZero();
    await("demo-pause", s -> s.path("pausedBy").isNull() || s.path("pausedBy").isMissingNode());

    Result rejected = cli("reject", "demo-pause", "--gate", "go", "--as", "bob", "--reason", "no");
    assertThat(rejected.code).as(rejected.err).isZero();
    assertThat(rejected.out).contains("Rejection counted; gate 'go' is rejected");
    // A rejected gate compensates what was done (the freeze) and the run ends rolled back.
    await("demo-pause", s -> s.path("phase").asText().equals("ROLLED_BACK"));
  }

  @Test
  void anUnlistedApproverGetsExitCodeOneWithTheReason() throws Exception {
    Path input = write("{\"requestedBy\": \"alice\", \"approvals\": {\"approvers\": [\"bob\"]}}");
    assertThat(
            cli("start", "DemoRunbook", "--input", input.toString(), "--id", "demo-unlisted").code)
        .isZero();
    awaitPhase("demo-unlisted", "WAITING_FOR_APPROVAL");

    Result refused = cli("approve", "demo-unlisted", "--gate", "go", "--as", "mallory");
    assertThat(refused.code).isEqualTo(1);
    assertThat(refused.out).isEmpty();
    assertThat(refused.err.lines()).hasSize(1);
    assertThat(refused.err)
        .contains("refused by run 'demo-unlisted': mallory is not one of the approvers [bob]");
    Result wrongGate = cli("reject", "demo-unlisted", "--gate", "switch", "--as", "bob");
    assertThat(wrongGate.code).isEqualTo(1);
    assertThat(wrongGate.err).contains("gate 'switch' is not open; the open gate is 'go'");

    JsonNode status = awaitPhase("demo-unlisted", "WAITING_FOR_APPROVAL");
    assertThat(status.path("pendingGate").path("approvedBy")).isEmpty();
    Result approved = cli("approve", "demo-unlisted", "--gate", "go", "--as", "bob");
    assertThat(approved.code).as(approved.err).isZero();
    awaitPhase("demo-unlisted", "COMPLETED");
  }

  @Test
  void listWaitingAnswersFromSearchAttributesWithoutAskingTheRuns() throws Exception {
    String queue = "cli-waiting";
    WorkerFactory factory = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    Worker worker = factory.newWorker(queue);
    worker.registerWorkflowImplementationTypes(DemoRunbookWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new RecordingDemoActivities(),
        new InputActivitiesImpl(searchAttributes::registered),
        new NoEvidence());
    factory.start();
    Path input = write("{\"requestedBy\": \"erin\"}");
    Result started =
        run(
            "start",
            "DemoRunbook",
            "--input",
            input.toString(),
            "--id",
            "demo-waiting",
            "--address",
            address,
            "--task-queue",
            queue);
    assertThat(started.code).as(started.err).isZero();
    await("demo-waiting", s -> s.path("phase").asText().equals("WAITING_FOR_APPROVAL"));
    // No worker from here on: a status query gets no answer, the search attributes still do.
    factory.shutdownNow();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    WorkflowClient.newInstance(stubs)
        .newUntypedWorkflowStub(
            "DemoRunbook",
            io.temporal.client.WorkflowOptions.newBuilder()
                .setWorkflowId("demo-not-started")
                .setTaskQueue(queue)
                .build())
        .start(JsonFiles.MAPPER.createObjectNode().put("requestedBy", "erin"));

    Result waiting =
        run("list", "--waiting", "--address", address, "--task-queue", queue, "--timeout", "2");
    assertThat(waiting.code).as(waiting.err).isZero();
    assertThat(waiting.out)
        .containsPattern("demo-waiting\\s+DemoRunbook\\s+WAITING_FOR_APPROVAL\\s+go\\s+go\\s+erin")
        .doesNotContain("demo-not-started");

    Result all = run("list", "--address", address, "--task-queue", queue, "--timeout", "2");
    assertThat(all.code).as(all.err).isZero();
    assertThat(all.out)
        .containsPattern("demo-waiting\\s+DemoRunbook\\s+WAITING_FOR_APPROVAL")
        .containsPattern("demo-not-started\\s+DemoRunbook\\s+\\?\\s+\\(no answer");

    Result none =
        run("list", "--waiting", "--address", address, "--task-queue", "nobody-polls-this");
    assertThat(none.out).contains("No runs waiting for approval on task queue nobody-polls-this");
  }

  @Test
  void globalOptionsGoBeforeOrAfterTheCommand() {
    Result before = run("--address", address, "--task-queue", TASK_QUEUE, "list");
    assertThat(before.code).as(before.err).isZero();
    Result after = cli("list");
    assertThat(after.code).as(after.err).isZero();
  }

  @Test
  void listOnAnotherTaskQueueHasNoRuns() {
    Result list = run("list", "--address", address, "--task-queue", "nobody-polls-this");
    assertThat(list.code).as(list.err).isZero();
    assertThat(list.out).contains("No open runs on task queue nobody-polls-this");
  }

  @Test
  void listDoesNotWaitForRunsThatNobodyServes() {
    WorkflowClient.newInstance(stubs)
        .newUntypedWorkflowStub(
            "DemoRunbook",
            io.temporal.client.WorkflowOptions.newBuilder()
                .setWorkflowId("orphan-run")
                .setTaskQueue("orphan-queue")
                .build())
        .start(JsonFiles.MAPPER.createObjectNode().put("requestedBy", "alice"));
    Instant start = Instant.now();
    Result list =
        run("list", "--address", address, "--task-queue", "orphan-queue", "--timeout", "2");
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(6));
    assertThat(list.code).as(list.err).isZero();
    assertThat(list.out).containsPattern("orphan-run\\s+DemoRunbook\\s+\\?\\s+\\(no answer");
  }

  @Test
  void rollbackStartsUnderItsOwnIdOnceAtATime() {
    Result started = cli("rollback", "gitea-db-migration-x", "--as", "carol", "--carry-over");
    assertThat(started.code).as(started.err).isZero();
    assertThat(started.out)
        .contains("Started Rollback of gitea-db-migration-x as rollback-gitea-db-migration-x")
        .contains("carrying rows over");
    String input =
        WorkflowClient.newInstance(stubs)
            .fetchHistory("rollback-gitea-db-migration-x")
            .getEvents()
            .get(0)
            .getWorkflowExecutionStartedEventAttributes()
            .getInput()
            .getPayloads(0)
            .getData()
            .toStringUtf8();
    assertThat(input)
        .contains("\"workflowId\":\"gitea-db-migration-x\"")
        .contains("\"requestedBy\":\"carol\"")
        .contains("\"carryOver\":true");

    Result again = cli("rollback", "gitea-db-migration-x", "--as", "carol");
    assertThat(again.code).isEqualTo(CliException.FAILED);
    assertThat(again.err)
        .contains("a rollback of gitea-db-migration-x is running or has completed");

    assertThat(cli("rollback", "gitea-db-migration-y").code).isEqualTo(CliException.USAGE);
    WorkflowClient.newInstance(stubs)
        .newUntypedWorkflowStub("rollback-gitea-db-migration-x")
        .terminate("test done");
  }

  @Test
  void unknownRunbookTypeIsRefusedBeforeAnythingStarts() throws Exception {
    Path input = write("{\"requestedBy\": \"alice\"}");
    Result result = cli("start", "NoSuchRunbook", "--input", input.toString());
    assertThat(result.code).isEqualTo(CliException.USAGE);
    assertThat(result.err.lines()).hasSize(1);
    assertThat(result.err).contains("unknown runbook type 'NoSuchRunbook'; known:");
  }

  @Test
  void invalidInputNamesTheField() throws Exception {
    Path missing = write("{\"label\": \"x\"}");
    Result result = cli("start", "DemoRunbook", "--input", missing.toString());
    assertThat(result.code).isEqualTo(CliException.USAGE);
    assertThat(result.err.lines()).hasSize(1);
    assertThat(result.err).contains("is not a valid DemoRunbook input").contains("requestedBy");

    Path literalPassword =
        write(
            "{\"requestedBy\": \"alice\", \"database\": {\"host\": \"db\", \"port\": 5432,"
                + " \"database\": \"app\", \"user\": \"app\", \"password\": \"hunter2\"}}");
    Result refused = cli("start", "DemoRunbook", "--input", literalPassword.toString());
    assertThat(refused.code).isEqualTo(CliException.USAGE);
    assertThat(refused.err).contains("$.database.password").contains("{\"env\"");
    assertThat(refused.err).doesNotContain("hunter2");
  }

  @Test
  void invalidJsonGivesLineAndColumn() throws Exception {
    Path broken = write("{\n  \"requestedBy\": \"alice\",\n  oops\n}");
    Result result = cli("start", "DemoRunbook", "--input", broken.toString());
    assertThat(result.code).isEqualTo(CliException.USAGE);
    assertThat(result.err.lines()).hasSize(1);
    assertThat(result.err).contains("is not valid JSON at line 3, column");
  }

  @Test
  void missingFileIsOneLine() {
    Result result = cli("start", "DemoRunbook", "--input", dir.resolve("nope.json").toString());
    assertThat(result.code).isEqualTo(CliException.USAGE);
    assertThat(result.err.strip()).endsWith("nope.json: no such file");
  }

  @Test
  void unknownWorkflowIdIsNotFound() {
    Result status = cli("status", "no-such-run");
    assertThat(status.code).isEqualTo(CliException.NOT_FOUND);
    assertThat(status.err.strip())
        .isEqualTo(
            "signalbox: no run with workflow id 'no-such-run' in namespace 'default' (see"
                + " `signalbox list`)");

    Result approve = cli("approve", "no-such-run", "--gate", "go", "--as", "bob");
    assertThat(approve.code).isEqualTo(CliException.NOT_FOUND);
  }

  @Test
  void unreachableServerFailsFast() {
    Instant start = Instant.now();
    Result result = run("list", "--address", "127.0.0.1:" + DevServer.freePort(), "--timeout", "2");
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(result.code).isEqualTo(CliException.UNREACHABLE);
    assertThat(result.err.lines()).hasSize(1);
    assertThat(result.err).contains("cannot reach the Temporal server at 127.0.0.1:");
  }

  @Test
  void badTlsSettingsAreUsageErrors() {
    Result half = run("list", "--address", address, "--tls-cert", "client.pem");
    assertThat(half.code).isEqualTo(CliException.USAGE);
    assertThat(half.err).contains("needs both --tls-cert and --tls-key");

    Result missing =
        run(
            "list",
            "--address",
            address,
            "--tls-cert",
            dir.resolve("client.pem").toString(),
            "--tls-key",
            dir.resolve("client.key").toString());
    assertThat(missing.code).isEqualTo(CliException.USAGE);
    assertThat(missing.err).contains("cannot use the mTLS certificate");
  }

  @Test
  void usageErrorsExitWithTwo() {
    Result missingOption = cli("approve", "some-run", "--as", "bob");
    assertThat(missingOption.code).isEqualTo(CliException.USAGE);
    assertThat(missingOption.err).contains("--gate");

    Result unknownCommand = run("frobnicate");
    assertThat(unknownCommand.code).isEqualTo(CliException.USAGE);

    Result help = run("--help");
    assertThat(help.code).isZero();
    assertThat(help.out).contains("start", "status", "approve", "list", "dev-server");
  }

  @Test
  void everyCommandAnswersHelpWithItsUsage() {
    // The usage error says "see `signalbox approve --help`": that must work for each command.
    for (String command :
        List.of("start", "status", "approve", "reject", "pause", "resume", "list", "evidence")) {
      Result help = run(command, "--help");
      assertThat(help.code).as(command + " --help: " + help.err).isZero();
      assertThat(help.out).as(command).contains("Usage: signalbox " + command);
    }
    Result schedule = run("schedule", "show", "--help");
    assertThat(schedule.code).as(schedule.err).isZero();
    assertThat(schedule.out).contains("Usage: signalbox schedule show");
  }

  private JsonNode awaitPhase(String id, String phase) throws InterruptedException {
    return await(id, s -> s.path("phase").asText().equals(phase));
  }

  private JsonNode await(String id, java.util.function.Predicate<JsonNode> done)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(20);
    JsonNode status = null;
    while (Instant.now().isBefore(deadline)) {
      Result result = cli("status", id, "--json");
      if (result.code == 0) {
        try {
          status = JsonFiles.MAPPER.readTree(result.out);
        } catch (java.io.IOException e) {
          throw new AssertionError(result.out, e);
        }
        if (done.test(status)) {
          return status;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("status of " + id + " never matched; last: " + status);
  }

  private Path write(String json) throws java.io.IOException {
    Path file = Files.createTempFile(dir, "input", ".json");
    Files.writeString(file, json);
    return file;
  }

  /** A command with the test server's address and task queue appended. */
  private static Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--address", address, "--task-queue", TASK_QUEUE));
    return run(all.toArray(String[]::new));
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SignalboxCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private record Result(int code, String out, String err) {}
}
