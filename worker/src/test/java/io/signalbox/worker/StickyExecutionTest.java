package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signalbox.worker.WorkerOptionsConfiguration.Settings;
import io.signalbox.worker.WorkerOptionsConfiguration.StickyExecution;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * Sticky execution against the dev server: why it is off there (a run cached by a stopped worker is
 * stranded), that the worker's customizer turns it off by itself, and what that costs.
 */
class StickyExecutionTest {
  private static final Logger log = LoggerFactory.getLogger(StickyExecutionTest.class);
  private static final String QUEUE = "sticky-test";

  private DevServer server;
  private WorkflowServiceStubs clientStubs;
  private WorkflowClient client;

  @BeforeEach
  void startServer() {
    server = DevServer.start(DevServer.freePort());
    clientStubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.clientTarget())
                // A stranded run never answers a query: fail the query fast.
                .setRpcQueryTimeout(Duration.ofSeconds(3))
                .build());
    client = WorkflowClient.newInstance(clientStubs);
  }

  @AfterEach
  void stopServer() {
    clientStubs.shutdownNow();
    server.close();
  }

  // ------------------------------------------------------------------ setting and detection

  @Test
  void settingParsesAutoOnOffAndYamlBooleans() {
    assertThat(StickyExecution.parse("auto")).isEqualTo(StickyExecution.AUTO);
    assertThat(StickyExecution.parse(null)).isEqualTo(StickyExecution.AUTO);
    assertThat(StickyExecution.parse("ON")).isEqualTo(StickyExecution.ON);
    assertThat(StickyExecution.parse("true")).isEqualTo(StickyExecution.ON);
    assertThat(StickyExecution.parse("off")).isEqualTo(StickyExecution.OFF);
    assertThat(StickyExecution.parse("false")).isEqualTo(StickyExecution.OFF);
    assertThatThrownBy(() -> new Settings("sometimes"))
        .hasMessageContaining("signalbox.sticky-execution must be auto, on or off");
  }

  @Test
  void detectsTheDevServer() {
    assertThat(TestServerDetector.detect(clientStubs, Duration.ofSeconds(5)))
        .isEqualTo(TestServerDetector.Kind.TEST_SERVER);
  }

  /** A frontend whose health service knows the workflow service only, as a real server's does. */
  @Test
  void aServerWithoutTheTestServiceIsARealServer() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus(
        "temporal.api.workflowservice.v1.WorkflowService",
        HealthCheckResponse.ServingStatus.SERVING);
    Server real =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(health.getHealthService())
            .build()
            .start();
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + real.getPort())
                .build());
    try {
      assertThat(TestServerDetector.detect(stubs, Duration.ofSeconds(5)))
          .isEqualTo(TestServerDetector.Kind.TEMPORAL_SERVER);
      assertThat(workerOptions("auto", stubs).getStickyQueueScheduleToStartTimeout())
          .isNotEqualTo(Duration.ZERO);
    } finally {
      stubs.shutdownNow();
      real.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void customizerTurnsStickyOffAgainstTheDevServerUnlessTold() {
    assertThat(workerOptions("auto", clientStubs).getStickyQueueScheduleToStartTimeout())
        .isEqualTo(Duration.ZERO);
    assertThat(workerOptions("off", clientStubs).getStickyQueueScheduleToStartTimeout())
        .isEqualTo(Duration.ZERO);
    assertThat(workerOptions("on", clientStubs).getStickyQueueScheduleToStartTimeout())
        .isNotEqualTo(Duration.ZERO);
  }

  // ------------------------------------------------------------------ restarts

  /**
   * The bug of issue 7 item 1, on the SDK's defaults: the worker that ran the first workflow task
   * stops (as on SIGTERM), a new one starts, and the run answers no query and takes no signal.
   */
  @Test
  void withStickyExecutionARunIsStrandedWhenItsWorkerStops() {
    WorkflowServiceStubs firstConnection = connection();
    WorkerFactory first = worker(workerOptions("on", clientStubs), firstConnection);
    StepsWorkflow run = startWaitingRun("stranded");
    stop(first, firstConnection);

    WorkerFactory second = worker(workerOptions("on", clientStubs), null);
    try {
      CompletableFuture<Integer> query = CompletableFuture.supplyAsync(run::done);
      assertThatThrownBy(() -> query.get(5, TimeUnit.SECONDS))
          .as("the status query of a run cached by a stopped worker")
          .isInstanceOf(TimeoutException.class);
      run.go();
      assertThatThrownBy(
              () ->
                  client
                      .newUntypedWorkflowStub("stranded")
                      .getResult(5, TimeUnit.SECONDS, Integer.class))
          .as("the run after its signal")
          .isInstanceOf(TimeoutException.class);
    } finally {
      second.shutdownNow();
    }
  }

  /** The fix: with the worker's own customizer, a restarted worker moves the run on. */
  @Test
  void withTheWorkersOptionsARestartedWorkerAnswersAndMovesTheRunOn() {
    WorkflowServiceStubs firstConnection = connection();
    WorkerFactory first = worker(workerOptions("auto", clientStubs), firstConnection);
    StepsWorkflow run = startWaitingRun("restarted");
    stop(first, firstConnection);

    WorkerFactory second = worker(workerOptions("auto", clientStubs), null);
    try {
      assertThat(run.done()).isEqualTo(1);
      run.go();
      assertThat(
              client
                  .newUntypedWorkflowStub("restarted")
                  .getResult(30, TimeUnit.SECONDS, Integer.class))
          .isEqualTo(1);
    } catch (TimeoutException e) {
      throw new AssertionError("the run did not complete after the signal", e);
    } finally {
      second.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ cost

  /**
   * What sticky execution off costs: the same run of N sequential activities with and without it.
   * Figures are logged (and quoted where the setting is made), not asserted; what is asserted is
   * that the setting took effect: no cache hit without sticky execution, many with it.
   */
  @Test
  void costOfReplayingEveryWorkflowTask() throws Exception {
    measure("warm-up", "on", 20);
    for (int steps : new int[] {20, 200}) {
      Figures on = measure("sticky-on-" + steps, "on", steps);
      Figures off = measure("sticky-off-" + steps, "off", steps);
      log.info("{} steps, sticky on:  {}", steps, on);
      log.info("{} steps, sticky off: {}", steps, off);
      assertThat(on.cacheHits).isGreaterThanOrEqualTo(steps);
      assertThat(off.cacheHits).isZero();
      assertThat(off.replayCount).isGreaterThanOrEqualTo(steps);
    }
  }

  private record Figures(
      long wallMs,
      long tasks,
      double taskMsTotal,
      long replayCount,
      double replayMsTotal,
      long cacheHits) {
    @Override
    public String toString() {
      return String.format(
          "wall %d ms, %d workflow tasks, %.0f ms in workflow tasks (%.2f ms each),"
              + " %d replays taking %.0f ms, %d sticky cache hits",
          wallMs,
          tasks,
          taskMsTotal,
          taskMsTotal / Math.max(1, tasks),
          replayCount,
          replayMsTotal,
          cacheHits);
    }
  }

  private Figures measure(String id, String sticky, int steps) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Scope scope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofMillis(10));
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.clientTarget())
                .setMetricsScope(scope)
                .build());
    WorkerFactory factory = worker(workerOptions(sticky, clientStubs), stubs);
    try {
      StepsWorkflow run =
          client.newWorkflowStub(
              StepsWorkflow.class,
              WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
      long t0 = System.nanoTime();
      assertThat(run.run(steps, false)).isEqualTo(steps);
      long wallMs = (System.nanoTime() - t0) / 1_000_000;
      factory.shutdown();
      factory.awaitTermination(10, TimeUnit.SECONDS);
      scope.close();
      Timer tasks = registry.find("temporal_workflow_task_execution_latency").timer();
      Timer replays = registry.find("temporal_workflow_task_replay_latency").timer();
      Counter hits = registry.find("temporal_sticky_cache_hit").counter();
      return new Figures(
          wallMs,
          tasks == null ? 0 : tasks.count(),
          tasks == null ? 0 : tasks.totalTime(TimeUnit.MILLISECONDS),
          replays == null ? 0 : replays.count(),
          replays == null ? 0 : replays.totalTime(TimeUnit.MILLISECONDS),
          hits == null ? 0 : (long) hits.count());
    } finally {
      factory.shutdownNow();
      stubs.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The worker options the product's customizer makes for a setting, against a server. */
  private static WorkerOptions workerOptions(String setting, WorkflowServiceStubs stubs) {
    StaticListableBeanFactory beans = new StaticListableBeanFactory();
    beans.addBean("workflowServiceStubs", stubs);
    return new WorkerOptionsConfiguration()
        .stickyExecutionCustomizer(
            new Settings(setting), beans.getBeanProvider(WorkflowServiceStubs.class))
        .customize(WorkerOptions.newBuilder())
        .build();
  }

  /** A worker process of its own: its own connection (so its own identity and sticky queue). */
  private WorkerFactory worker(WorkerOptions options, WorkflowServiceStubs ownStubs) {
    WorkflowServiceStubs stubs = ownStubs != null ? ownStubs : connection();
    WorkflowClient workerClient =
        WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().build());
    WorkerFactory factory = WorkerFactory.newInstance(workerClient);
    var worker = factory.newWorker(QUEUE, options);
    worker.registerWorkflowImplementationTypes(StepsWorkflowImpl.class);
    worker.registerActivitiesImplementations(new StepActivityImpl());
    factory.start();
    return factory;
  }

  private WorkflowServiceStubs connection() {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(server.clientTarget()).build());
  }

  /**
   * Stops a worker as a process end would: its connection goes first, so nothing it still polls (an
   * in-process worker's shutdown can outlive the test) answers for it any more.
   */
  private static void stop(WorkerFactory factory, WorkflowServiceStubs connection) {
    connection.shutdownNow();
    factory.shutdownNow();
  }

  private StepsWorkflow startWaitingRun(String id) {
    StepsWorkflow run =
        client.newWorkflowStub(
            StepsWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
    WorkflowClient.start(run::run, 1, true);
    // Wait until the worker has run the first step and cached the run.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (run.done() < 1) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the first step did not run");
      }
      sleep(50);
    }
    return run;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** N sequential activities, then (optionally) a wait for the signal {@code go}. */
  @WorkflowInterface
  public interface StepsWorkflow {
    @WorkflowMethod
    int run(int steps, boolean waitForGo);

    @SignalMethod
    void go();

    @QueryMethod
    int done();
  }

  public static class StepsWorkflowImpl implements StepsWorkflow {
    private final StepActivity activity =
        Workflow.newActivityStub(
            StepActivity.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());
    private int done;
    private boolean go;

    @Override
    public int run(int steps, boolean waitForGo) {
      for (int i = 0; i < steps; i++) {
        done += activity.step(i);
      }
      if (waitForGo) {
        Workflow.await(() -> go);
      }
      return done;
    }

    @Override
    public void go() {
      go = true;
    }

    @Override
    public int done() {
      return done;
    }
  }

  @ActivityInterface
  public interface StepActivity {
    int step(int i);
  }

  public static class StepActivityImpl implements StepActivity {
    @Override
    public int step(int i) {
      return 1;
    }
  }
}
