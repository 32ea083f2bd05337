/*
 * Consume-throughput load for Scripts/bench.sh, in C against librdkafka, so that no Python loop
 * sits between the fetches and the figure: the rate is what the broker's fetch path delivers.
 *
 *   consume BOOTSTRAP TOPIC COUNT [NAME=VALUE ...]
 *
 * Reads partition 0 of TOPIC from the beginning until COUNT records have arrived (at most 120 s),
 * with librdkafka's consumer defaults unless NAME=VALUE pairs override them (any librdkafka
 * property, e.g. max.partition.fetch.bytes=10485760). Prints one JSON line in the shape of
 * loadgen.py's consume mode: count, seconds, msgs/s and MB/s of record values, timed from the first
 * record to the COUNT-th — the fetch path in steady state — and, apart, startup_ms from the
 * assignment to the first record. The start-up is mostly librdkafka's own timers (a new consumer
 * knows no leader when it is assigned and retries its offset lookup after 500 ms), the same on
 * any broker, so it is kept out of the rate. With CONSUME_STATS=FILE in the environment, the last
 * librdkafka statistics JSON (every 100 ms: fetch request count, rtt, fetch queue) goes to FILE.
 *
 * What librdkafka waits for, besides the broker: it keeps one Fetch in flight per broker, and once
 * its fetch queue holds queued.min.messages (100,000) records it fetches nothing more for
 * fetch.queue.backoff.ms (1 s) — whatever the application drains meanwhile. A consumer that
 * drains slower than the fetches arrive (a Python loop, a starved CPU) spends whole seconds there.
 * librdkafka 2.0 stops fetching the same way until its broker thread's next periodic wake-up.
 * queue_stalls in the output counts these (from librdkafka's fetch debug log, which is therefore
 * on and counted, not printed, unless NAME=VALUE sets debug itself).
 *
 *   gcc -O2 -o consume Scripts/bench/consume.c -lrdkafka
 */
#define _GNU_SOURCE
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *last_stats;
static atomic_long queue_stalls; /* times librdkafka stopped fetching because its queue was full */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    (void)rk;
    (void)len;
    (void)opaque;
    free(last_stats);
    last_stats = json;
    return 1; /* librdkafka must not free json: it is kept */
}

/* Counts "... is not fetchable: queued.min.messages exceeded" (or queued.max.messages.kbytes). */
static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *line) {
    (void)rk;
    (void)level;
    if (!strcmp(facility, "FETCH") && strstr(line, "not fetchable: queued.m")) atomic_fetch_add(&queue_stalls, 1);
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "consume: config %s=%s: %s\n", name, value, err);
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC COUNT [NAME=VALUE ...]\n", argv[0]);
        return 2;
    }
    const char *bootstrap = argv[1], *topic = argv[2];
    char *end;
    errno = 0;
    long count = strtol(argv[3], &end, 10);
    if (errno || *end || end == argv[3] || count < 1) {
        fprintf(stderr, "consume: bad COUNT '%s' (an integer >= 1)\n", argv[3]);
        return 2;
    }
    const char *stats_file = getenv("CONSUME_STATS");

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "group.id", "bench-consume-c");
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.partition.eof", "false");
    if (stats_file) {
        set(conf, "statistics.interval.ms", "100");
        rd_kafka_conf_set_stats_cb(conf, on_stats);
    }
    int debug_set = 0;
    for (int i = 4; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "consume: bad override '%s' (NAME=VALUE)\n", argv[i]);
            return 2;
        }
        *eq = '\0';
        set(conf, argv[i], eq + 1);
        debug_set |= !strcmp(argv[i], "debug");
    }
    if (!debug_set) {
        set(conf, "debug", "fetch");
        rd_kafka_conf_set_log_cb(conf, on_log);
    }
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "consume: rd_kafka_new: %s\n", err);
        return 2;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(assignment, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;

    uint64_t start = now_ns();
    rd_kafka_resp_err_t assigned = rd_kafka_assign(rk, assignment);
    if (assigned) {
        fprintf(stderr, "consume: assign: %s\n", rd_kafka_err2str(assigned));
        return 2;
    }
    long received = 0, errors = 0;
    uint64_t value_bytes = 0, first = 0;
    uint64_t deadline = start + 120ull * 1000000000u;
    while (received < count && now_ns() < deadline) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 100);
        if (!message) continue;
        if (message->err) {
            if (errors++ < 10) fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(message));
        } else {
            if (received++ == 0) first = now_ns();
            value_bytes += message->len;
        }
        rd_kafka_message_destroy(message);
    }
    uint64_t last = now_ns();
    if (received < count) fprintf(stderr, "consume: %ld of %ld records within 120 s\n", received, count);
    double seconds = received ? (double)(last - first) / 1e9 : 0;
    if (seconds <= 0) seconds = 1e-9;

    printf("{\"mode\": \"consume\", \"count\": %ld, \"errors\": %ld, \"seconds\": %.3f, \"msgs_per_s\": %.0f, "
           "\"mb_per_s\": %.1f, \"startup_ms\": %.0f, \"queue_stalls\": %ld, \"librdkafka\": \"%s\"}\n",
           received, errors, seconds, (double)received / seconds, (double)value_bytes / seconds / 1e6,
           received ? (double)(first - start) / 1e6 : 0.0, atomic_load(&queue_stalls), rd_kafka_version_str());

    if (stats_file) {
        /* One more statistics report, taken after the last record. */
        for (uint64_t until = now_ns() + 150000000u; now_ns() < until;) {
            rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 10);
            if (message) rd_kafka_message_destroy(message);
        }
        FILE *file = fopen(stats_file, "w");
        if (file && last_stats) fputs(last_stats, file);
        if (file) fclose(file);
    }
    rd_kafka_topic_partition_list_destroy(assignment);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    free(last_stats);
    return received < count ? 1 : 0;
}
