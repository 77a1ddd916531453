# syntax=docker/dockerfile:1
# Signalbox worker image: the one jar (worker, dev server, CLI) plus PostgreSQL's client tools.
#
#   docker build -t signalbox .
#   docker run --rm signalbox list --address temporal:7233      # the CLI, same image

# ---- build: the Maven wrapper on a JDK 17 -------------------------------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY runbooks runbooks
# The Maven repository is a build cache, so a source change does not download everything again.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -q -B -DskipTests package \
 && cp worker/target/signalbox.jar /signalbox.jar

# ---- run: a JRE 17 with pg_dump / pg_restore / psql / pg_amcheck ----------------------------
FROM eclipse-temurin:17-jre
# The client tools must be at least as new as the newest server they dump: they come from the
# PostgreSQL project's own apt repository (PGDG), not the distribution's older ones.
ARG PG_MAJOR=17
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
      https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
 && apt-get purge -y gnupg && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/* \
 && pg_dump --version && pg_restore --version && psql --version

RUN groupadd --system signalbox \
 && useradd --system --gid signalbox --home-dir /var/lib/signalbox signalbox \
 && mkdir -p /var/lib/signalbox/evidence /var/lib/signalbox/dumps \
 && chown -R signalbox:signalbox /var/lib/signalbox
COPY --from=build /signalbox.jar /app/signalbox.jar

USER signalbox
WORKDIR /var/lib/signalbox
ENV SIGNALBOX_EVIDENCE_DIR=/var/lib/signalbox/evidence \
    SIGNALBOX_DUMP_DIR=/var/lib/signalbox/dumps
VOLUME ["/var/lib/signalbox"]
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD curl -fsS http://localhost:8081/actuator/health || exit 1
# JVM flags here rather than in JAVA_TOOL_OPTIONS, which the JVM echoes on every CLI call.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/signalbox.jar"]
CMD ["worker"]
