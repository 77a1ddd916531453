package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.PASSWORDS;
import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
import static io.signalbox.activities.postgres.PgCopyAssertions.newDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the real pg_dump and pg_restore see of the worker's environment. The tools are reached
 * through wrapper scripts that record their environment and then exec the real tool, so the dump
 * and the restore are real and the recorded environment is exactly the tool's.
 */
@Timeout(300)
class PgToolsEnvironmentTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @TempDir Path tmp;

  @Test
  void pgDumpAndPgRestoreSeeTheirConnectionSettingsAndNoSecretOfTheWorker() throws Exception {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    Path envs = Files.createDirectories(tmp.resolve("envs"));
    Path bin = wrappers(a.binDir(), envs);

    // The worker's environment as a deployment has it: the target's password for a runbook's
    // command, a libpq default that would override the pgpass file, the evidence DB's password.
    Map<String, String> worker = new HashMap<>(System.getenv());
    worker.put("TARGET_DB_PASSWORD", b.password());
    worker.put("PGPASSWORD", "worker-wide-libpq-password");
    worker.put("PGHOST", "203.0.113.1");
    worker.put("SPRING_DATASOURCE_PASSWORD", "evidence-db-password");
    worker.put("PGSSLROOTCERT", "/etc/signalbox/root.crt");
    PgTools tools =
        new PgTools(
            new CommandRunner(worker),
            bin,
            ref -> PASSWORDS.get(ref.env()),
            name -> null,
            Duration.ofMillis(100));

    String src = newDatabase(a, "envsrc");
    a.execute(src, "CREATE TABLE t (x int)", "INSERT INTO t VALUES (1), (2)");
    String dst = newDatabase(b, "envdst");
    Path dir = tmp.resolve("dump");
    tools.dump(new DumpRequest(endpoint(a, src), dir, 2, 0, null, "env-test", null), null);
    tools.restore(new RestoreRequest(endpoint(b, dst), dir, 2, null, null, "env-test", null), null);
    assertThat(b.queryColumn(dst, "SELECT x FROM t ORDER BY x")).containsExactly("1", "2");

    Set<String> allowed = new HashSet<>(CommandRunner.BASE_ENV);
    allowed.addAll(PgTools.PG_TLS_ENV);
    allowed.addAll(List.of("PGPASSFILE", "PGSSLMODE", "PGAPPNAME", "PGCONNECT_TIMEOUT"));
    // pg_dump's output settings (no secret: TimeZone and bytea_output, see PgDump).
    allowed.add("PGOPTIONS");
    Map<String, Map<String, String>> byRun = recorded(envs);
    assertThat(byRun.keySet())
        .anyMatch(f -> f.startsWith("pg_dump."))
        .anyMatch(f -> f.startsWith("pg_restore."));
    byRun.forEach(
        (file, env) -> {
          assertThat(allowed).as(file).containsAll(env.keySet());
          assertThat(env.values())
              .as(file)
              .doesNotContain(
                  a.password(),
                  b.password(),
                  "worker-wide-libpq-password",
                  "203.0.113.1",
                  "evidence-db-password");
        });
    assertThat(byRun.entrySet())
        .filteredOn(
            e -> e.getKey().startsWith("pg_dump.") && e.getValue().containsKey("PGPASSFILE"))
        .isNotEmpty()
        .allSatisfy(
            e -> assertThat(e.getValue()).containsEntry("PGOPTIONS", PgDump.OUTPUT_SETTINGS));
    // The runs that connected got their password through a pgpass file, and the operator's TLS
    // settings for the worker.
    assertThat(byRun.entrySet())
        .filteredOn(e -> e.getValue().containsKey("PGPASSFILE"))
        .extracting(e -> e.getKey().substring(0, e.getKey().indexOf('.')))
        .contains("pg_dump", "pg_restore");
    assertThat(byRun.values())
        .filteredOn(env -> env.containsKey("PGPASSFILE"))
        .allSatisfy(
            env ->
                assertThat(env)
                    .containsEntry("PGSSLROOTCERT", "/etc/signalbox/root.crt")
                    .containsEntry("PGSSLMODE", "disable")
                    .containsKey("PATH"));
  }

  /** pg_dump and pg_restore scripts that write their environment, then exec the real tool. */
  private static Path wrappers(Path realBin, Path envs) throws Exception {
    Path bin = Files.createDirectories(envs.resolveSibling("bin"));
    for (String tool : List.of("pg_dump", "pg_restore")) {
      Path script = bin.resolve(tool);
      Files.writeString(
          script,
          "#!/bin/sh\n"
              + "/usr/bin/env > '"
              + envs
              + "/"
              + tool
              + ".'$$\n"
              + "exec '"
              + realBin.resolve(tool)
              + "' \"$@\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }

  private static Map<String, Map<String, String>> recorded(Path envs) throws Exception {
    Map<String, Map<String, String>> byRun = new HashMap<>();
    try (Stream<Path> files = Files.list(envs)) {
      for (Path f : files.toList()) {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(f)) {
          int eq = line.indexOf('=');
          // PWD is the wrapper's: sh exports it itself.
          if (eq > 0 && !line.startsWith("PWD=")) {
            env.put(line.substring(0, eq), line.substring(eq + 1));
          }
        }
        byRun.put(f.getFileName().toString(), env);
      }
    }
    return byRun;
  }
}
