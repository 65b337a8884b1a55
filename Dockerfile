# Build: Maven with JDK 17.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY edge-config edge-config
COPY src src
RUN mvn -q -B package -DskipTests

# Run: a JRE only, as a non-root user. Deployments point at managed Postgres and Redis
# (EDGECHAT_POSTGRES_URL, EDGECHAT_REDIS_URL); the embedded ones are for role `all` on a laptop.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app edgechat
WORKDIR /app
COPY --from=build /src/target/edgechat.jar /app/edgechat.jar
COPY edge-config /app/edge-config
USER edgechat
ENV EDGECHAT_HTTP_PORT=8080 \
    EDGECHAT_DATA_DIR=/app/data \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/edgechat.jar"]
CMD ["edge"]
