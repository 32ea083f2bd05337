#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (Debian packages), builds, runs every test
# (unit tests, tests against real ZooKeeper servers, and clusters of real kafka-server processes),
# and checks docker-compose.yml.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=Scripts/lib/deps.sh
source "$ROOT/Scripts/lib/deps.sh"
ensure_apt_packages libzookeeper-mt-dev zookeeper default-jre-headless docker-compose \
    zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev kcat

# Real Python clients for the end-to-end tests (and their compression codecs).
ensure_pip_packages confluent-kafka kafka-python aiokafka lz4 zstandard cramjam python-snappy

echo "==> docker-compose config"
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"

echo "==> swift build"
swift build --build-tests

echo "==> swift test"
# Suites that start clusters are serialized inside; the rest run in parallel.
swift test --skip-build "$@"
