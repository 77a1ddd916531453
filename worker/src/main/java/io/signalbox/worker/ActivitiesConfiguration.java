package io.signalbox.worker;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.signalbox.activities.command.CommandActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.copy.DumpRoots;
import io.signalbox.activities.evidence.BackupHistory;
import io.signalbox.activities.evidence.BackupHistoryActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceStore;
import io.signalbox.activities.evidence.ReportStore;
import io.signalbox.activities.evidence.RollbackEvidenceActivitiesImpl;
import io.signalbox.activities.health.HealthCheckActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.rollback.CarryOverActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The activity implementations (plain classes of the {@code activities} module) as beans, and the
 * clients they share: one KubernetesClient, one command runner, one pooled DataSource. Each
 * activity bean's name is listed under {@code spring.temporal.workers[*].activity-beans} in {@code
 * application.yaml}, which registers it with the worker.
 */
@Configuration(proxyBeanMethods = false)
public class ActivitiesConfiguration {
  private static final Logger log = LoggerFactory.getLogger(ActivitiesConfiguration.class);

  /**
   * Input validation against the runbooks' JSON Schemas, run as a local activity, and which search
   * attributes the server has, as the worker found them at start-up.
   */
  @Bean
  public InputActivitiesImpl inputActivities(SearchAttributesRegistration searchAttributes) {
    return new InputActivitiesImpl(searchAttributes::registered);
  }

  /**
   * In the cluster: the service account; on a workstation: the kubeconfig's current context. Its
   * own request retries are off: Temporal's retry policies are the one layer that retries.
   */
  @Bean(destroyMethod = "close")
  public KubernetesClient kubernetesClient() {
    Config config = Config.autoConfigure(null);
    config.setRequestRetryBackoffLimit(0);
    config.setConnectionTimeout(10_000);
    config.setRequestTimeout(30_000);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @Bean
  public SecretResolver secretResolver(KubernetesClient kubernetes) {
    return new SecretResolver(kubernetes);
  }

  @Bean
  public CommandRunner commandRunner() {
    return new CommandRunner();
  }

  @Bean
  public PgTools pgTools(
      CommandRunner runner, SecretResolver secrets, SignalboxProperties properties) {
    return new PgTools(runner, properties.pgBin(), secrets::resolve);
  }

  @Bean
  public PostgresActivitiesImpl postgresActivities(SecretResolver secrets) {
    return new PostgresActivitiesImpl(secrets);
  }

  /**
   * Where an input may have dumps written or read ({@code signalbox.dump-roots}, default the dump
   * directory): the one path rule for {@code copy.dumpDir} and {@code backup.path}.
   */
  @Bean
  public DumpRoots dumpRoots(SignalboxProperties properties) {
    DumpRoots roots = new DumpRoots(properties.dumpRootsOrDefault());
    log.info("dump roots: {}", roots.roots());
    return roots;
  }

  /**
   * Dump, restore, verify. Registered on the shared task queue and on this worker's own, so a
   * copy's restore and verify find the dump it wrote (unless the dump directory is shared).
   */
  @Bean
  public CopyActivitiesImpl copyActivities(
      PgTools tools,
      SecretResolver secrets,
      SignalboxProperties properties,
      DumpRoots roots,
      ReportStore reports) {
    return new CopyActivitiesImpl(
        tools,
        new PgConnector(secrets),
        properties.dumpDir().toAbsolutePath().normalize(),
        roots,
        properties.sharedDumpDir() ? null : properties.hostTaskQueue(),
        reports);
  }

  /**
   * Reports too large for workflow history (a verification's row per table): in Signalbox's own
   * database, or without one as files under the evidence directory (one worker, e.g. the dev
   * profile: the evidence is recorded where the file was written).
   */
  @Bean
  public ReportStore reportStore(
      ObjectProvider<DataSource> dataSource, SignalboxProperties properties) {
    return new ReportStore(dataSource.getIfAvailable(), properties.evidenceDir().toAbsolutePath());
  }

  @Bean
  public CommandActivitiesImpl commandActivities(CommandRunner runner, SecretResolver secrets) {
    return new CommandActivitiesImpl(runner, secrets::resolve);
  }

  @Bean
  public KubernetesActivitiesImpl kubernetesActivities(KubernetesClient kubernetes) {
    return new KubernetesActivitiesImpl(kubernetes);
  }

  @Bean
  public HealthCheckActivitiesImpl healthCheckActivities() {
    return new HealthCheckActivitiesImpl();
  }

  /**
   * Evidence in Signalbox's own database (schema by Flyway at start-up) and as files. Without a
   * database ({@code spring.datasource.url} unset, e.g. the dev profile) it is files only.
   */
  @Bean
  public EvidenceActivitiesImpl evidenceActivities(
      ObjectProvider<DataSource> dataSource, SignalboxProperties properties, ReportStore reports) {
    DataSource ds = dataSource.getIfAvailable();
    if (ds == null) {
      log.warn(
          "No database configured (spring.datasource.url): evidence is kept as files only under"
              + " {}. Set SPRING_DATASOURCE_URL/_USERNAME/_PASSWORD to keep it in PostgreSQL too.",
          properties.evidenceDir().toAbsolutePath());
    }
    return new EvidenceActivitiesImpl(ds, properties.evidenceDir().toAbsolutePath(), reports);
  }

  /** The read side of evidence, when there is a database. */
  @Bean
  public EvidenceStore evidenceStore(ObjectProvider<DataSource> dataSource) {
    DataSource ds = dataSource.getIfAvailable();
    return ds == null ? null : new EvidenceStore(ds);
  }

  /** The backup history (DrRehearsal's report, the backup metrics), when there is a database. */
  @Bean
  public BackupHistory backupHistory(ObjectProvider<DataSource> dataSource) {
    DataSource ds = dataSource.getIfAvailable();
    return ds == null ? null : new BackupHistory(ds);
  }

  /** DrRehearsal reads past verifications through it; without a database it says there are none. */
  @Bean
  public BackupHistoryActivitiesImpl backupHistoryActivities(
      ObjectProvider<BackupHistory> history) {
    return new BackupHistoryActivitiesImpl(history.getIfAvailable());
  }

  /**
   * BackupVerification's scratch database, dump inspection and digests, pg_amcheck and the deletion
   * of fresh dumps. Registered on the host queue too: it reads the dump's files.
   */
  @Bean
  public io.signalbox.activities.backup.BackupActivitiesImpl backupActivities(
      PgTools tools,
      SecretResolver secrets,
      CommandRunner runner,
      SignalboxProperties properties,
      DumpRoots roots) {
    return new io.signalbox.activities.backup.BackupActivitiesImpl(
        tools,
        new PgConnector(secrets),
        runner,
        properties.dumpDir().toAbsolutePath().normalize(),
        roots,
        properties.sharedDumpDir() ? null : properties.hostTaskQueue());
  }

  /** Rollback reads what a run switched from the evidence database and links the two records. */
  @Bean
  public RollbackEvidenceActivitiesImpl rollbackEvidenceActivities(
      ObjectProvider<DataSource> dataSource, SignalboxProperties properties) {
    return new RollbackEvidenceActivitiesImpl(
        dataSource.getIfAvailable(), properties.evidenceDir().toAbsolutePath());
  }

  /** Rollback's row comparison and carry-over between the new and the old database. */
  @Bean
  public CarryOverActivitiesImpl carryOverActivities(SecretResolver secrets) {
    return new CarryOverActivitiesImpl(secrets);
  }
}
