package io.signalbox.workflows;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The guardrail of STYLE.md 19: workflow code touches no I/O, JDK clocks, randomness, threads,
 * Spring or logging factories — what Temporal's workflowcheck looks for. A failure here means a
 * workflow would not replay deterministically.
 */
class DeterminismRulesTest {
  private static JavaClasses workflows;

  @BeforeAll
  static void importMainClasses() {
    workflows =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.signalbox.workflows");
  }

  static final ArchRule NO_IO =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "java.io..",
              "java.nio.file..",
              "java.net..",
              "java.sql..",
              "javax.sql..",
              "java.util.concurrent..",
              "org.springframework..",
              "io.fabric8..",
              "org.postgresql..",
              "org.apache.commons.exec..",
              "okhttp3..")
          .because("workflow code must be deterministic: all I/O lives in activities");

  static final ArchRule NO_THREADS =
      noClasses()
          .should()
          .dependOnClassesThat()
          .areAssignableTo(Thread.class)
          .because("workflow code runs on Temporal's workflow threads; use Async and Promise");

  static final ArchRule NO_CLOCKS =
      noClasses()
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(Instant.class, "now")
          .orShould()
          .callMethod(LocalDateTime.class, "now")
          .orShould()
          .callMethod(LocalDate.class, "now")
          .orShould()
          .callMethod(OffsetDateTime.class, "now")
          .orShould()
          .callMethod(ZonedDateTime.class, "now")
          .orShould()
          .callMethod(UUID.class, "randomUUID")
          .orShould()
          .callMethod(Math.class, "random")
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Clock.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(java.util.Random.class)
          .because("use Workflow.currentTimeMillis, Workflow.randomUUID and Workflow.newRandom");

  static final ArchRule NO_LOGGING_FACTORIES =
      noClasses()
          .should()
          .callMethod(org.slf4j.LoggerFactory.class, "getLogger", Class.class)
          .orShould()
          .callMethod(org.slf4j.LoggerFactory.class, "getLogger", String.class)
          .orShould()
          .accessField(System.class, "out")
          .orShould()
          .accessField(System.class, "err")
          .because("workflows log through Workflow.getLogger, which is quiet during replay");

  @Test
  void workflowCodeFollowsEveryRule() {
    NO_IO.check(workflows);
    NO_THREADS.check(workflows);
    NO_CLOCKS.check(workflows);
    NO_LOGGING_FACTORIES.check(workflows);
  }

  @Test
  void theRulesCatchCodeThatBreaksThem() {
    JavaClasses bad = new ClassFileImporter().importClasses(NonDeterministic.class);
    assertThat(NO_IO.evaluate(bad).hasViolation()).isTrue();
    assertThat(NO_THREADS.evaluate(bad).hasViolation()).isTrue();
    assertThat(NO_CLOCKS.evaluate(bad).hasViolation()).isTrue();
    assertThat(NO_LOGGING_FACTORIES.evaluate(bad).hasViolation()).isTrue();
  }

  /** Everything a workflow must not do, to prove the rules above would see it. */
  @SuppressWarnings("unused")
  static class NonDeterministic {
    long now() {
      return System.currentTimeMillis();
    }

    void sleep() throws InterruptedException {
      Thread.sleep(1);
    }

    boolean io() {
      return new java.io.File("/tmp").exists();
    }

    void log() {
      org.slf4j.LoggerFactory.getLogger(NonDeterministic.class).info("x");
    }
  }
}
