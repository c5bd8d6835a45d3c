# Multi-stage build: compile with Maven, run on a JRE with fuse3.
# Run with FUSE available inside the container:
#   docker build -t txfs .
#   docker run --rm -it --device /dev/fuse --cap-add SYS_ADMIN \
#       -v /srv/data:/data txfs mount -f /data /mnt/data
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY fs-native/pom.xml fs-native/
COPY fs-control/pom.xml fs-control/
COPY fs-core/pom.xml fs-core/
COPY fs-fuse/pom.xml fs-fuse/
COPY fs-tools/pom.xml fs-tools/
COPY it-tests/pom.xml it-tests/
RUN mvn -B -ntp -q dependency:go-offline -pl fs-native,fs-control,fs-core,fs-fuse,fs-tools -am || true
COPY . .
RUN mvn -B -ntp -q -DskipTests -pl fs-tools -am package

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/fs-tools/target/txfs.jar /opt/txfs/txfs.jar
COPY --from=build /src/fs-tools/target/lib /opt/txfs/lib
RUN mkdir -p /mnt/data
ENTRYPOINT ["java", "-jar", "/opt/txfs/txfs.jar"]
CMD ["--help"]
