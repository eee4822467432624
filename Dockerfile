# syntax=docker/dockerfile:1
#
# The PINN pricing service (./pinn serve) in a container: CPU engine (Vector API), no GPU.
#
#   docker build -t pinn:0.1.0 .
#   docker run --rm -p 8080:8080 -e PINN_ADMIN_TOKEN=... pinn:0.1.0
#
# Three stages: Maven builds the jars on a JDK 25 image; jlink makes a Java runtime with only
# the modules the service needs; a slim Debian image (glibc, which the JVM needs) runs it as a
# non-root user. deploy/k8s/ runs this image on Kubernetes. No container engine was available
# where this file was written, so the image has not been built; tests/…/DeployManifestsTest
# checks what can be checked without one (see README, "Operating the service").

# ---- 1. build: the runtime jar and its dependencies ----
FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
# The poms first, so that the dependency download is cached until a pom changes.
COPY pom.xml ./
COPY kernels/pom.xml kernels/
COPY autodiff/pom.xml autodiff/
COPY runtime/pom.xml runtime/
COPY bench/pom.xml bench/
COPY tests/pom.xml tests/
COPY kernels/src kernels/src
COPY autodiff/src autodiff/src
COPY runtime/src runtime/src
# The tests run in CI (./pinn test), not in the image build. copy-dependencies puts the runtime
# jar's run-time class path, the project's own jars included, in /app/lib.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -Dmaven.test.skip=true -pl runtime -am package \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp runtime/target/pinn-runtime-*.jar /app/lib/ \
 && mkdir -p /app/models \
 && cp runtime/src/main/resources/pinn/runtime/default-model.pinn /app/models/default.pinn

# ---- 2. jlink: a runtime with only the modules the service needs ----
# jdeps on the runtime jar and its class path (DeployManifestsTest runs it) finds java.base,
# jdk.incubator.vector (the SIMD kernels), jdk.unsupported (Netty, the HTTP transport: sun.misc.Unsafe,
# which it uses only when allowed, e.g. --sun-misc-unsafe-memory-access=allow), and also
# java.desktop (xchart, for `pinn accuracy --plot` only), java.sql (an optional dependency of
# jackson-databind), java.naming (Netty's TLS trust manager; the service speaks plain HTTP) and
# jdk.jfr (Netty's optional flight-recorder events, off without the module), which the server never
# loads and which are left out. Without java.logging, Netty logs through System.Logger like the
# rest of the service (pinn.runtime.service.NettyLogging). The Prometheus client needs nothing
# beyond java.base (no JMX: java.management is not needed), nor do Jackson core and picocli.
# DeployManifestsTest starts the server on exactly these modules (--limit-modules).
# Temurin 25 has no jmods directory: jlink links from the JDK's own run-time image (JEP 493).
FROM eclipse-temurin:25-jdk AS jlink
RUN jlink \
      --add-modules java.base,jdk.incubator.vector,jdk.unsupported \
      --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
      --output /opt/pinn/jre

# ---- 3. the image that runs ----
FROM debian:bookworm-slim
# A fixed, numeric, non-root user, so that Kubernetes can check runAsNonRoot (deploy/k8s).
RUN groupadd --system --gid 10001 pinn \
 && useradd --system --uid 10001 --gid pinn --home-dir /nonexistent --shell /usr/sbin/nologin pinn
COPY --from=jlink /opt/pinn/jre /opt/pinn/jre
COPY --from=build /app/lib /opt/pinn/lib
# Model files that POST /v1/models can swap in by name (rollback: name the previous one). A
# deployment that changes models without a new image mounts a volume here instead.
COPY --from=build /app/models /models
USER 10001:10001
EXPOSE 8080
# For docker run and Compose; Kubernetes ignores HEALTHCHECK and uses the Deployment's probes.
# bash's /dev/tcp, because the image has no curl and the jlinked runtime no HTTP client.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# Java as PID 1 receives SIGTERM itself: the server drains (no new connections, requests in
# flight finish, the runtime closes) and exits 0. The heap takes at most 70% of the container's
# memory limit; the rest is for the JVM itself and the arenas' native memory.
ENTRYPOINT ["/opt/pinn/jre/bin/java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError", \
            "-cp", "/opt/pinn/lib/*", "pinn.runtime.cli.Main", "serve"]
# Arguments of `pinn serve`, replaceable as a whole (docker run IMAGE ..., Kubernetes args).
CMD ["--bind", "0.0.0.0", "--port", "8080", "--models", "/models", "--drain-seconds", "10"]
