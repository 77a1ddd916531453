package io.signalbox.activities.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The path rule for dump directories named by an input, tried as an attacker would. */
class DumpRootsTest {
  @TempDir Path tmp;
  private Path root;
  private Path other;
  private DumpRoots roots;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectories(tmp.resolve("dumps"));
    other = Files.createDirectories(tmp.resolve("other"));
    roots = DumpRoots.of(root, tmp.resolve("not-yet/created"));
  }

  private void refused(String value, String why) {
    assertThatThrownBy(() -> roots.resolve("copy.dumpDir", value))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("InvalidInput");
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .startsWith("copy.dumpDir ")
                  .contains(why)
                  .contains(root.toString())
                  .contains(tmp.resolve("not-yet/created").toString())
                  .doesNotContain("\u0000");
            });
  }

  @Test
  void aPathInsideARootIsAcceptedAlsoBeforeItExists() throws Exception {
    assertThat(roots.resolve("copy.dumpDir", root.toString())).isEqualTo(root.toRealPath());
    assertThat(roots.resolve("copy.dumpDir", root + "/team/a/"))
        .isEqualTo(root.toRealPath().resolve("team/a"));
    assertThat(roots.resolve("copy.dumpDir", tmp + "/not-yet/created/x"))
        .isEqualTo(tmp.toRealPath().resolve("not-yet/created/x"));
  }

  @Test
  void relativeAndClimbingPathsAreRefused() {
    refused("../../etc", "is not an absolute path");
    refused("var/dumps", "is not an absolute path");
    refused("dumps", "is not an absolute path");
    refused(root + "/../other", "is not normalized");
    refused(root + "/./x", "is not normalized");
    refused(root + "/a/../../other", "is not normalized");
    refused("/etc", "is outside the worker's dump roots");
    refused("/", "is outside");
    refused("", "is empty");
    refused(" ", "is empty");
    refused(null, "is empty");
  }

  @Test
  void aRootIsNotAPrefixOfAnotherName() throws Exception {
    Files.createDirectories(tmp.resolve("dumps-evil"));
    refused(tmp + "/dumps-evil", "is outside");
    refused(tmp + "/dumps-evil/x", "is outside");
    refused(tmp + "/dumpsx", "is outside");
  }

  @Test
  void aLinkInsideARootThatPointsOutIsRefused() throws Exception {
    Files.createSymbolicLink(root.resolve("escape"), other);
    Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nowhere"));

    refused(root + "/escape", "resolves to " + other.toRealPath());
    refused(root + "/escape/deeper/still", "outside the worker's dump roots");
    refused(root + "/dangling", "dangling symbolic link");
    refused(root + "/dangling/x", "dangling symbolic link");
    assertThat(roots.contains(root.resolve("escape"))).isFalse();
    assertThat(roots.contains(root.resolve("inside"))).isTrue();
  }

  @Test
  void aLinkThatLeadsIntoARootIsFollowedAndARootMayItselfBeALink() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("big-disk/dumps"));
    Path linked = Files.createSymbolicLink(tmp.resolve("linked-root"), real);
    DumpRoots viaLink = DumpRoots.of(linked);

    assertThat(viaLink.resolve("copy.dumpDir", linked + "/x"))
        .isEqualTo(real.toRealPath().resolve("x"));
    assertThat(viaLink.resolve("copy.dumpDir", real + "/y"))
        .isEqualTo(real.toRealPath().resolve("y"));
    assertThatThrownBy(() -> viaLink.resolve("copy.dumpDir", tmp + "/big-disk"))
        .isInstanceOf(ApplicationFailure.class);
  }

  @Test
  void controlCharactersAndOversizedPathsAreRefusedAndNotEchoedRaw() {
    refused(root + "/a\u0000b", "control character");
    refused(root + "/a\nb", "control character");
    refused(root + "/" + "x".repeat(256), "longer than 255 bytes");
    refused(root + "/x".repeat(2100), "longer than 4095 bytes");
    assertThatThrownBy(() -> roots.resolve("copy.dumpDir", root + "/" + "y".repeat(1_000_000)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> assertThat(f.getOriginalMessage().length()).isLessThan(1000));
  }

  @Test
  void anExistingDumpDirectoryMustBeADirectoryInsideTheRoots() throws Exception {
    Path dump = Files.createDirectories(root.resolve("copy-1/run-1"));
    Files.writeString(root.resolve("file"), "x");

    assertThat(roots.existingDirectory("backup.path", dump.toString()))
        .isEqualTo(dump.toRealPath());
    for (String bad :
        List.of(
            root + "/copy-1/missing",
            root + "/file",
            other.toString(),
            root + "/copy-1/../../other")) {
      assertThatThrownBy(() -> roots.existingDirectory("backup.path", bad))
          .isInstanceOfSatisfying(
              ApplicationFailure.class,
              f -> {
                assertThat(f.getType()).isEqualTo("InvalidInput");
                assertThat(f.getOriginalMessage()).startsWith("backup.path ");
              });
    }
  }

  @Test
  void rootsMustBeAbsolute() {
    assertThatThrownBy(() -> DumpRoots.of(Path.of("var/dumps")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> new DumpRoots(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
