# Container image for the kafka-server broker.
#
#   docker build -t swift-kafka-broker .
#   docker run --rm swift-kafka-broker \
#       /etc/kafka/server.properties \
#       --override zookeeper.connect=zk:2181/kafka \
#       --override listeners=PLAINTEXT://0.0.0.0:9092 \
#       --override advertised.listeners=PLAINTEXT://<name clients use>:9092
#
# The image's config is config/server.properties from this repository with
# log.dirs pointed at the data volume; everything else (ZooKeeper address,
# listeners, broker.id) is meant to be set with --override, as
# docker-compose.yml does.

############################ build stage ######################################
FROM swift:6.2-bookworm AS build

# The CZooKeeper system-library target links Debian's multi-threaded
# ZooKeeper C client.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libzookeeper-mt-dev zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# The whole checkout (minus what .dockerignore leaves out): besides Sources/,
# the manifest declares test targets whose directories must exist for it to
# load, and any local package dependencies live in the tree as well.
COPY . .

RUN swift build -c release --product kafka-server \
 && mkdir -p /out \
 && cp "$(swift build -c release --show-bin-path)/kafka-server" /out/kafka-server

############################ runtime stage ####################################
FROM swift:6.2-bookworm-slim

# Only the ZooKeeper client's shared library is needed at run time; the
# slim Swift image already carries the Swift runtime libraries.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libzookeeper-mt2 zlib1g liblz4-1 libzstd1 libsnappy1v5 \
 && rm -rf /var/lib/apt/lists/*

COPY --from=build /out/kafka-server /usr/local/bin/kafka-server
COPY config/server.properties /etc/kafka/server.properties

# Keep partition data on the volume rather than in /tmp inside the container.
RUN sed -i 's|^log\.dirs=.*|log.dirs=/var/lib/kafka/data|' /etc/kafka/server.properties \
 && mkdir -p /var/lib/kafka/data

VOLUME /var/lib/kafka/data
EXPOSE 9092 9404

# SIGTERM (docker stop) makes the broker shut down cleanly and exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["kafka-server"]
CMD ["/etc/kafka/server.properties"]
