package io.signalbox.workflows.backup;

import io.signalbox.workflows.core.Endpoint;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * What a backup verification needs beyond the copy's dump, restore and verify: the scratch server
 * checked, the scratch database created and dropped, a dump inspected and its files checked against
 * their recorded digests, the restored database checked with {@code pg_amcheck}, and a fresh dump
 * deleted. Activity type names carry the prefix {@code Backup}.
 *
 * <p>The methods that read a dump's files ({@link #checkFiles}, {@link #deleteDump}) run on the
 * worker that holds the dump: {@link #inspect} returns its task queue. Creating and dropping the
 * scratch database are idempotent, and dropping tolerates a database that was never created.
 */
@ActivityInterface(namePrefix = "Backup")
public interface BackupActivities {

  /**
   * @param scratch the scratch server; its {@code database} is the one to connect to
   */
  record ScratchCheckRequest(Endpoint scratch) {}

  /**
   * @param endpoint {@code user@host:port/database}
   * @param versionNum {@code server_version_num}
   * @param version {@code server_version}
   * @param superuser whether the user is a superuser
   * @param createDb whether the user may create databases
   * @param pgAmcheckVersion {@code pg_amcheck --version} on this worker
   * @param leftovers scratch databases of earlier runs still on the server (none when every run
   *     cleaned up after itself)
   */
  record ScratchReport(
      String endpoint,
      int versionNum,
      String version,
      boolean superuser,
      boolean createDb,
      String pgAmcheckVersion,
      List<String> leftovers) {}

  /**
   * Checks that the scratch server can take a verification: reachable, the user may create
   * databases, the {@code amcheck} extension is available and can be used (a superuser, or
   * installed in {@code template1}), {@code pg_amcheck} is on this worker. Fails with {@code
   * PreconditionFailed} naming what is missing and the fix. Changes nothing.
   */
  ScratchReport checkScratch(ScratchCheckRequest request);

  /**
   * @param path {@code backup.path}: a Signalbox dump directory
   */
  record InspectRequest(String path) {}

  /**
   * What a dump's manifest says, for the report.
   *
   * @param path the dump directory, absolute
   * @param hostTaskQueue the task queue of the worker that holds it, or null when the dump
   *     directory is shared by all workers
   * @param copyId the copy (or run) that wrote it
   * @param source the dumped database, {@code user@host:port/database}
   * @param sourceDatabase the dumped database's name
   * @param serverVersionNum the source's {@code server_version_num}
   * @param serverVersion the source's {@code server_version}
   * @param pgDumpVersion the pg_dump that wrote it
   * @param takenAt the snapshot's time: what the backup holds is the database as of then
   * @param tables tables in the manifest
   * @param rows rows in the manifest
   * @param dumpBytes the size of the dump's files
   * @param checksums whether the manifest carries content checksums
   * @param digests whether the manifest carries each file's size and SHA-256
   */
  record DumpInfo(
      String path,
      String hostTaskQueue,
      String copyId,
      String source,
      String sourceDatabase,
      int serverVersionNum,
      String serverVersion,
      String pgDumpVersion,
      String takenAt,
      int tables,
      long rows,
      long dumpBytes,
      boolean checksums,
      boolean digests) {}

  /**
   * Reads a dump's manifest. A path outside the worker's dump roots, or without {@code
   * manifest.json}, is {@code InvalidInput} naming {@code backup.path}; a manifest that cannot be
   * read is {@code VerificationFailed} naming it.
   */
  DumpInfo inspect(InspectRequest request);

  /**
   * @param dumpDir {@code copy.dumpDir} of a {@code takeNew} verification
   */
  record DumpDirRequest(String dumpDir) {}

  /** Fails with {@code InvalidInput} naming {@code copy.dumpDir} when it is outside the roots. */
  void checkDumpDir(DumpDirRequest request);

  /**
   * @param dumpPath the dump directory
   */
  record FilesCheckRequest(String dumpPath) {}

  /**
   * @param ok whether every recorded file is there with its size and SHA-256
   * @param digests whether the manifest recorded digests at all (older dumps did not: then only the
   *     restore and the checksums verify the files)
   * @param files files checked
   * @param bytes their recorded size
   * @param problems one sentence per bad file, naming it (and its table)
   * @param summary one line for people
   */
  record FilesReport(
      boolean ok, boolean digests, int files, long bytes, List<String> problems, String summary) {}

  /** Checks every file of a dump against the size and SHA-256 in its manifest. Read-only. */
  FilesReport checkFiles(FilesCheckRequest request);

  /**
   * @param scratch the scratch server (connected through its {@code database})
   * @param name the scratch database to create or drop: {@code signalbox_verify_…} only
   * @param encoding the source database's encoding, so the restore can load its text; null for the
   *     server's default
   */
  record ScratchRequest(Endpoint scratch, String name, String encoding) {}

  /**
   * @param database the scratch database
   * @param changed whether this call created (or dropped) it; false when it already was (not) there
   */
  record ScratchResult(String database, boolean changed) {}

  /** Creates the scratch database; one that already exists (an earlier attempt) is success. */
  ScratchResult createScratch(ScratchRequest request);

  /** Drops the scratch database, ending its sessions; one that does not exist is success. */
  ScratchResult dropScratch(ScratchRequest request);

  /**
   * @param database the restored scratch database
   * @param jobs pg_amcheck's {@code --jobs} (default 2)
   */
  record AmcheckRequest(Endpoint database, Integer jobs) {}

  /**
   * @param ok whether pg_amcheck found no corruption
   * @param summary one line for people
   * @param problems the first lines of what pg_amcheck reported
   * @param argv pg_amcheck's argv (no password)
   * @param durationMillis how long it ran
   */
  record AmcheckReport(
      boolean ok, String summary, List<String> problems, List<String> argv, long durationMillis) {}

  /**
   * Installs {@code amcheck} in the database ({@code CREATE EXTENSION IF NOT EXISTS}) and runs
   * {@code pg_amcheck --heapallindexed} over every table and B-tree index. Corruption is reported,
   * not thrown; a pg_amcheck that cannot run fails.
   */
  AmcheckReport amcheck(AmcheckRequest request);

  /**
   * @param dumpPath a dump directory this run wrote
   */
  record DeleteDumpRequest(String dumpPath) {}

  /**
   * @param deleted whether it was there and was deleted
   * @param bytes what it held
   */
  record DeleteDumpResult(boolean deleted, long bytes) {}

  /**
   * Deletes a dump directory inside the dump roots that holds only pg_dump's files and a manifest;
   * a missing one is success, anything else is refused.
   */
  DeleteDumpResult deleteDump(DeleteDumpRequest request);
}
