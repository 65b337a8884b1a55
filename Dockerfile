# The image, in the steps scripts/build-image.sh takes (the tests run that script and start every role from its
# result, SlimImageIT): build the slim jar, a jlink'd runtime for it, and the folder target/image; then copy the
# folder onto a small Debian. What is in it and its sizes: docs/deploy-artifact.md.

# Build: Maven and a JDK 17 with jmods (jdeps, jlink).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY edge-config edge-config
COPY scripts scripts
COPY src src
RUN bash scripts/build-image.sh

# Run: debian:bookworm-slim (~75 MB unpacked: glibc, libstdc++ for ONNX Runtime and the tokenizer, /bin/sh for
# the entrypoint) plus target/image (~120 MB: runtime, slim jar, edge-config, bin/edgechat), as a non-root
# user. Deployments point at managed Postgres and Redis (EDGECHAT_POSTGRES_URL, EDGECHAT_REDIS_URL): the slim
# jar has no embedded databases, so role `all` needs them too.
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /app --no-create-home edgechat
COPY --from=build /src/target/image /app
RUN mkdir /app/data && chown edgechat:edgechat /app/data
WORKDIR /app
USER edgechat
# JAVA_TOOL_OPTIONS holds for every role; bin/edgechat adds the edge's own settings (Serial GC, heap 32 MB to
# 512 MB with a 16 MB young generation, direct buffers 128 MB: docs/deploy-artifact.md, "JVM settings"), replaced by EDGECHAT_JAVA_OPTS if set.
ENV EDGECHAT_HTTP_PORT=8080 \
    EDGECHAT_DATA_DIR=/app/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
ENTRYPOINT ["/app/bin/edgechat"]
CMD ["edge"]
