package io.signalbox.worker.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.Json;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleState;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodedValues;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schedule the worker builds from {@code signalbox.dr-rehearsal.*} and its create-or-update,
 * against an in-memory schedule server (the Temporal test server has no schedules; see
 * runbooks/dr-rehearsal/README.md for checking it on a real one).
 */
class DrRehearsalScheduleTest {
  private static final Path EXAMPLE = Path.of("..", "runbooks", "dr-rehearsal", "cluster.json");

  @TempDir Path dir;

  private static DrRehearsalProperties properties(String cron, String zone) {
    return new DrRehearsalProperties(
        true, "dr-rehearsal-monthly", cron, zone, Duration.ofHours(6), EXAMPLE, "dr-rehearsal");
  }

  private static DrRehearsalSchedule schedule(String cron) {
    return new DrRehearsalSchedule(
        properties(cron, "Europe/Berlin"), "signalbox", DrRehearsalSchedule.loadInput(EXAMPLE));
  }

  private static ScheduleActionStartWorkflow action(Schedule s) {
    assertThat(s.getAction()).isInstanceOf(ScheduleActionStartWorkflow.class);
    return (ScheduleActionStartWorkflow) s.getAction();
  }

  @Test
  void theScheduleStartsDrRehearsalWithTheInputOnCronWithOverlapSkip() throws IOException {
    Schedule s = schedule("0 3 1 * *").build();

    ScheduleActionStartWorkflow action = action(s);
    assertThat(action.getWorkflowType()).isEqualTo("DrRehearsal");
    assertThat(action.getOptions().getWorkflowId()).isEqualTo("dr-rehearsal");
    assertThat(action.getOptions().getTaskQueue()).isEqualTo("signalbox");
    JsonNode argument = action.getArguments().get(0, JsonNode.class);
    assertThat(argument).isEqualTo(Json.mapper().readTree(EXAMPLE.toFile()));
    assertThat(s.getSpec().getCronExpressions()).containsExactly("0 3 1 * *");
    assertThat(s.getSpec().getTimeZoneName()).isEqualTo("Europe/Berlin");
    assertThat(s.getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    assertThat(s.getPolicy().getCatchupWindow()).isEqualTo(Duration.ofHours(6));
    assertThat(s.getState().isPaused()).isFalse();
  }

  @Test
  void createdWhenMissingThenLeftAloneWhileTheSettingsStayTheSame() {
    FakeScheduleGateway server = new FakeScheduleGateway();

    assertThat(schedule("0 3 1 * *").apply(server)).isEqualTo(DrRehearsalSchedule.Result.CREATED);
    assertThat(server.schedules).containsKey("dr-rehearsal-monthly");

    server.calls.clear();
    assertThat(schedule("0 3 1 * *").apply(server)).isEqualTo(DrRehearsalSchedule.Result.UNCHANGED);
    assertThat(server.calls).containsExactly("describe dr-rehearsal-monthly");
  }

  @Test
  void changedSettingsUpdateTheScheduleAndAnOperatorsPauseSurvives() {
    FakeScheduleGateway server = new FakeScheduleGateway();
    schedule("0 3 1 * *").apply(server);
    Schedule paused =
        Schedule.newBuilder(server.schedules.get("dr-rehearsal-monthly"))
            .setState(ScheduleState.newBuilder().setPaused(true).setNote("bob: freeze").build())
            .build();
    server.schedules.put("dr-rehearsal-monthly", paused);

    assertThat(schedule("30 2 1 * *").apply(server)).isEqualTo(DrRehearsalSchedule.Result.UPDATED);

    Schedule updated = server.schedules.get("dr-rehearsal-monthly");
    assertThat(updated.getSpec().getCronExpressions()).containsExactly("30 2 1 * *");
    assertThat(updated.getState().isPaused()).isTrue();
    assertThat(updated.getState().getNote()).isEqualTo("bob: freeze");
    assertThat(DrRehearsalSchedule.digestOf(updated))
        .isEqualTo(schedule("30 2 1 * *").digest())
        .isNotEqualTo(schedule("0 3 1 * *").digest());
  }

  @Test
  void aScheduleDescribedByTheServerCarriesItsDigestEncodedAndIsRecognised() {
    DrRehearsalSchedule desired = schedule("0 3 1 * *");
    Schedule built = desired.build();
    // What describe returns: the memo still encoded, the cron rewritten (so not comparable).
    EncodedValues encoded =
        new EncodedValues(
            Optional.of(
                Payloads.newBuilder()
                    .addPayloads(
                        DefaultDataConverter.STANDARD_INSTANCE.toPayload(desired.digest()).get())
                    .build()),
            DefaultDataConverter.STANDARD_INSTANCE);
    Schedule described =
        Schedule.newBuilder(built)
            .setAction(
                ScheduleActionStartWorkflow.newBuilder(action(built))
                    .setOptions(
                        WorkflowOptions.newBuilder(action(built).getOptions())
                            .setMemo(Map.of(DrRehearsalSchedule.DIGEST_MEMO, encoded))
                            .build())
                    .build())
            .build();
    FakeScheduleGateway server = new FakeScheduleGateway();
    server.schedules.put("dr-rehearsal-monthly", described);

    assertThat(desired.apply(server)).isEqualTo(DrRehearsalSchedule.Result.UNCHANGED);
  }

  @Test
  void aScheduleNotMadeByTheWorkerIsTakenOver() {
    FakeScheduleGateway server = new FakeScheduleGateway();
    Schedule foreign =
        Schedule.newBuilder(schedule("0 3 1 * *").build())
            .setAction(
                ScheduleActionStartWorkflow.newBuilder()
                    .setWorkflowType("DrRehearsal")
                    .setOptions(
                        WorkflowOptions.newBuilder()
                            .setWorkflowId("by-hand")
                            .setTaskQueue("signalbox")
                            .build())
                    .build())
            .build();
    server.schedules.put("dr-rehearsal-monthly", foreign);

    assertThat(schedule("0 3 1 * *").apply(server)).isEqualTo(DrRehearsalSchedule.Result.UPDATED);
    assertThat(action(server.schedules.get("dr-rehearsal-monthly")).getOptions().getWorkflowId())
        .isEqualTo("dr-rehearsal");
  }

  @Test
  void anotherWorkerCreatingItAtTheSameTimeEndsInAnUpdate() {
    FakeScheduleGateway server = new FakeScheduleGateway();
    server.raceOnCreate = true;

    assertThat(schedule("0 3 1 * *").apply(server)).isEqualTo(DrRehearsalSchedule.Result.UPDATED);
    assertThat(server.calls)
        .containsExactly(
            "describe dr-rehearsal-monthly",
            "create dr-rehearsal-monthly",
            "update dr-rehearsal-monthly");
  }

  @Test
  void aServerWithoutSchedulesIsReportedAndNothingElseHappens() {
    FakeScheduleGateway server = new FakeScheduleGateway();
    server.unimplemented = true;

    assertThat(schedule("0 3 1 * *").apply(server))
        .isEqualTo(DrRehearsalSchedule.Result.UNSUPPORTED);
    assertThat(server.calls).containsExactly("describe dr-rehearsal-monthly");
  }

  @Test
  void theTemporalTestServerAnswersUnimplementedAndTheWorkerGoesOn() {
    // The embedded dev server is this server: the real gateway must end in UNSUPPORTED there.
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      ScheduleClient client = ScheduleClient.newInstance(env.getWorkflowServiceStubs());
      assertThat(schedule("0 3 1 * *").apply(new TemporalScheduleGateway(client)))
          .isEqualTo(DrRehearsalSchedule.Result.UNSUPPORTED);
    }
  }

  @Test
  void aBadInputFileStopsTheWorkerNamingTheFileAndTheField() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"requestedBy\": \"x\"}");
    Path notJson = Files.writeString(dir.resolve("not.json"), "{databases: ");

    assertThatThrownBy(() -> DrRehearsalSchedule.loadInput(bad))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("$.databases: is required but missing");
    assertThatThrownBy(() -> DrRehearsalSchedule.loadInput(notJson))
        .hasMessageContaining("is not JSON");
    assertThatThrownBy(() -> DrRehearsalSchedule.loadInput(dir.resolve("missing.json")))
        .hasMessageContaining("cannot read signalbox.dr-rehearsal.input-file");
    assertThatThrownBy(() -> DrRehearsalSchedule.loadInput(null))
        .hasMessageContaining("signalbox.dr-rehearsal.input-file is not set");
    assertThatThrownBy(() -> DrRehearsalSchedule.loadInput(Path.of("")))
        .hasMessageContaining("signalbox.dr-rehearsal.input-file is not set");
  }

  @Test
  void aTimeZoneThatIsNotOneStopsTheWorker() {
    assertThatThrownBy(
            () ->
                new DrRehearsalSchedule(
                    properties("0 3 1 * *", "Mars/Olympus"),
                    "signalbox",
                    DrRehearsalSchedule.loadInput(EXAMPLE)))
        .hasMessageContaining("signalbox.dr-rehearsal.time-zone 'Mars/Olympus'");
  }
}
