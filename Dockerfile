# syntax=docker/dockerfile:1
# txfs in a container: compile with Maven, run on a JRE with fuse3, as a non-root user mounting through
# fusermount3 (as on a desktop). Build and run:
#
#   docker build -t txfs .
#   docker run --rm -it --device /dev/fuse --cap-add SYS_ADMIN --security-opt apparmor:unconfined \
#       -v /srv/project:/data -v txfs-state:/home/txfs/.local/state txfs mount -f /data /home/txfs/mnt
#
# --device /dev/fuse: the FUSE device (it must be 0666 on the host, as Debian's udev rule makes it, for a
#   non-root user to open it through fusermount3).
# --cap-add SYS_ADMIN: mount(2) inside a container needs it even for the setuid fusermount3.
# --security-opt apparmor:unconfined: Docker's default AppArmor profile denies mount(2) (on hosts with
#   AppArmor; SELinux hosts may need --security-opt label=disable instead).
# The state directory (views, pending changes, the published state not yet flushed) is a volume: it must
# outlive the container, or the pending work of every view is lost with it.
# /data must be writable by uid 1000 (the txfs user), or pass --user and a HOME of that uid.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# the Maven repository is a build cache, so a rebuild after a source change downloads nothing
RUN --mount=type=cache,target=/root/.m2 mvn -B -ntp -q -DskipTests -pl fs-tools -am package

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 procps util-linux \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 txfs \
 && mkdir -p /home/txfs/mnt /home/txfs/.local/state \
 && chown -R txfs:txfs /home/txfs
COPY --from=build /src/fs-tools/target/txfs.jar /opt/txfs/txfs.jar
COPY --from=build /src/fs-tools/target/lib /opt/txfs/lib
RUN printf '#!/bin/sh\nexec java ${TXFS_JAVA_OPTS:-} -jar /opt/txfs/txfs.jar "$@"\n' > /usr/local/bin/txfs \
 && chmod 0755 /usr/local/bin/txfs
USER txfs
ENV HOME=/home/txfs
WORKDIR /home/txfs
VOLUME /home/txfs/.local/state
# healthy while the daemon answers its control file
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s \
  CMD txfs stats --mount /home/txfs/mnt > /dev/null || exit 1
ENTRYPOINT ["txfs"]
CMD ["--help"]
