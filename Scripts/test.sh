#!/usr/bin/env bash
# Runs the test suite, in one of two lanes:
#
#   Scripts/test.sh          everything, as CI does (.ci/run): installs what is missing (Debian
#                            packages; the pinned Python clients in .venv/), checks
#                            docker-compose.yml, builds, and runs every test: unit tests, tests
#                            against real ZooKeeper servers, and clusters of real kafka-server
#                            processes driven by kcat, the kafka CLI and the Python clients.
#   Scripts/test.sh --fast   the unit suites only: no ZooKeeper server, no broker process, no
#                            Python client, no docker-compose. Under 2 minutes after a build.
#
# Other arguments go to `swift test` (e.g. `--filter LogTests`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

FAST=false
SWIFT_TEST_ARGS=()
for arg in "$@"; do
    case "$arg" in
        --fast) FAST=true ;;
        *) SWIFT_TEST_ARGS+=("$arg") ;;
    esac
done

# Suites that need real servers, left out by --fast: the ClusterTests target (every suite nested
# in RealClusterTests: ZooKeeper ensembles, kafka-server processes, the CLI end to end), the
# ZooKeeperTests target, the KafkaZkClient… suites of KafkaZkTests and its batch reads, the
# controller's optimistic writes against a real ensemble, the producer-id blocks, and KafkaLabTests'
# reading of a real server's transaction log (a real ZooKeeper). A new suite that starts a server
# goes in one of these places.
INTEGRATION_SUITES=('^ClusterTests\.' '^ZooKeeperTests\.' '^KafkaZkTests\.KafkaZkClient' '^KafkaZkTests\.KafkaZkBatchReadTests'
    '^ControllerTests\.OptimisticStateWriteTests' '^TransactionCoordinatorTests\.ProducerIdManagerTests'
    '^KafkaLabTests\.ZooKeeperTxnLogTests')

# shellcheck source=Scripts/lib/deps.sh
source "$ROOT/Scripts/lib/deps.sh"
# What the build needs.
ensure_apt_packages libzookeeper-mt-dev zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
if ! $FAST; then
    # What the integration suites run: ZooKeeper (Java), kcat, docker-compose, and the Python
    # clients (with their compression codecs), whose `python3` then comes first on the PATH.
    ensure_apt_packages zookeeper default-jre-headless docker-compose kcat
    ensure_browser_packages
    ensure_python_venv "$ROOT"

    echo "==> docker-compose config"
    docker-compose -f docker-compose.yml config -q
    echo "docker-compose.yml is valid"
fi

echo "==> swift build"
swift build --build-tests

if $FAST; then
    echo "==> swift test (unit suites only)"
    skips=()
    for suite in "${INTEGRATION_SUITES[@]}"; do skips+=(--skip "$suite"); done
    swift test --skip-build "${skips[@]}" "${SWIFT_TEST_ARGS[@]}"
else
    echo "==> swift test (everything)"
    # Suites that start clusters are serialized inside RealClusterTests; the rest run in parallel.
    swift test --skip-build "${SWIFT_TEST_ARGS[@]}"
fi
