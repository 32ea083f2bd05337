/*
 * Paced produce-latency load generator for Scripts/bench.sh, in C against librdkafka, so that
 * neither a Python pacing loop nor the GIL sits between the send and the delivery report.
 *
 *   latency BOOTSTRAP TOPIC COUNT SIZE ACKS RATE
 *
 * Produces COUNT records of SIZE bytes to partition 0 of TOPIC with acks=ACKS and linger.ms=0,
 * paced at RATE messages per second on an absolute CLOCK_MONOTONIC schedule (RATE 0: as fast as
 * possible). A dedicated thread polls delivery reports; the delivery callback timestamps each
 * report, and latency is that time minus the time taken just before rd_kafka_produce(), per
 * message. 200 messages are sent first, unmeasured, so connection setup and metadata are not in
 * the figures. Prints one JSON line in the shape of loadgen.py's produce mode, plus p999.
 *
 *   gcc -O2 -o latency Scripts/bench/latency.c -lrdkafka
 */
#define _GNU_SOURCE
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#define WARMUP 200

static uint64_t *sent_ns;      /* send time per sequence number (warm-up and timed together) */
static uint64_t *latency_ns;   /* delivery latency per successful timed message */
static atomic_long delivered;  /* delivery reports seen (all phases) */
static atomic_long measured;   /* successful timed reports */
static atomic_long errors;     /* failed timed reports */
static atomic_int stop_polling;
static long first_timed;       /* sequence number of the first timed message */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t target) {
    struct timespec ts = {.tv_sec = (time_t)(target / 1000000000u), .tv_nsec = (long)(target % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    (void)opaque;
    uint64_t now = now_ns();
    long seq = (long)(intptr_t)msg->_private;
    if (seq >= first_timed) {
        if (msg->err) {
            if (atomic_fetch_add(&errors, 1) < 10)
                fprintf(stderr, "latency: delivery failed: %s\n", rd_kafka_err2str(msg->err));
        } else {
            latency_ns[atomic_fetch_add(&measured, 1)] = now - sent_ns[seq];
        }
    } else if (msg->err) {
        fprintf(stderr, "latency: warm-up delivery failed: %s\n", rd_kafka_err2str(msg->err));
    }
    atomic_fetch_add(&delivered, 1);
}

static void *poll_loop(void *arg) {
    rd_kafka_t *rk = arg;
    while (!atomic_load(&stop_polling)) rd_kafka_poll(rk, 100);
    rd_kafka_poll(rk, 0);
    return NULL;
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
    char err[512];
    if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "latency: config %s=%s: %s\n", name, value, err);
        exit(2);
    }
}

static long parse_long(const char *what, const char *text, long min) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || *end || end == text || value < min) {
        fprintf(stderr, "latency: bad %s '%s' (an integer >= %ld)\n", what, text, min);
        exit(2);
    }
    return value;
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Same rule as loadgen.py: the value at round(p/100 * (n-1)). */
static double percentile_ms(const uint64_t *sorted, long n, double p) {
    if (n == 0) return 0.0;
    long index = (long)(p / 100.0 * (double)(n - 1) + 0.5);
    if (index > n - 1) index = n - 1;
    return (double)sorted[index] / 1e6;
}

/* Sends messages [from, to) paced from `start` (absolute schedule: message i at start + i/rate). */
static void send_range(rd_kafka_topic_t *rkt, long from, long to, char *payload, size_t size,
                       double rate, uint64_t start) {
    for (long seq = from; seq < to; seq++) {
        if (rate > 0) sleep_until(start + (uint64_t)((double)(seq - from) * 1e9 / rate));
        sent_ns[seq] = now_ns();
        while (rd_kafka_produce(rkt, 0, 0, payload, size, NULL, 0, (void *)(intptr_t)seq) == -1) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "latency: produce failed: %s\n", rd_kafka_err2str(err));
                exit(1);
            }
            sleep_until(now_ns() + 100000); /* the poll thread drains the queue */
            sent_ns[seq] = now_ns();
        }
    }
}

/* Waits (the poll thread serves the reports) until `n` reports have arrived or `seconds` pass. */
static int wait_delivered(long n, int seconds) {
    uint64_t deadline = now_ns() + (uint64_t)seconds * 1000000000u;
    while (atomic_load(&delivered) < n) {
        if (now_ns() > deadline) return 0;
        sleep_until(now_ns() + 100000);
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC COUNT SIZE ACKS RATE\n", argv[0]);
        return 2;
    }
    const char *bootstrap = argv[1], *topic = argv[2], *acks = argv[5];
    long count = parse_long("COUNT", argv[3], 1);
    long size = parse_long("SIZE", argv[4], 0);
    char *end;
    double rate = strtod(argv[6], &end);
    if (*end || end == argv[6] || !(rate >= 0)) {
        fprintf(stderr, "latency: bad RATE '%s' (messages per second, 0 for unpaced)\n", argv[6]);
        return 2;
    }
    if (strcmp(acks, "all") && strcmp(acks, "-1") && strcmp(acks, "0") && strcmp(acks, "1")) {
        fprintf(stderr, "latency: bad ACKS '%s' (all, -1, 0 or 1)\n", acks);
        return 2;
    }
    /* Sub-millisecond pacing: clock_nanosleep's default 50 us timer slack is too coarse. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    set(conf, "acks", acks);
    set(conf, "linger.ms", "0");
    set(conf, "compression.type", "none");
    set(conf, "batch.num.messages", "10000");
    set(conf, "queue.buffering.max.messages", "1000000");
    set(conf, "queue.buffering.max.kbytes", "2097151");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char err[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "latency: rd_kafka_new: %s\n", err);
        return 2;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (!rkt) {
        fprintf(stderr, "latency: topic %s: %s\n", topic, rd_kafka_err2str(rd_kafka_last_error()));
        return 2;
    }

    long total = WARMUP + count;
    sent_ns = calloc((size_t)total, sizeof *sent_ns);
    latency_ns = calloc((size_t)count, sizeof *latency_ns);
    char *payload = malloc((size_t)size + 1);
    if (!sent_ns || !latency_ns || !payload) {
        fprintf(stderr, "latency: out of memory\n");
        return 2;
    }
    memset(payload, 'x', (size_t)size);
    first_timed = WARMUP;

    pthread_t poller;
    if (pthread_create(&poller, NULL, poll_loop, rk)) {
        fprintf(stderr, "latency: pthread_create failed\n");
        return 2;
    }

    /* Warm-up: connection, metadata (and topic auto-creation), at the same pace. */
    send_range(rkt, 0, WARMUP, payload, (size_t)size, rate, now_ns());
    if (!wait_delivered(WARMUP, 60)) {
        fprintf(stderr, "latency: warm-up did not complete within 60 s\n");
        return 1;
    }

    uint64_t start = now_ns();
    send_range(rkt, WARMUP, total, payload, (size_t)size, rate, start);
    wait_delivered(total, 120);
    double seconds = (double)(now_ns() - start) / 1e9;
    atomic_store(&stop_polling, 1);
    pthread_join(poller, NULL);
    long outstanding = total - atomic_load(&delivered);
    if (outstanding > 0) fprintf(stderr, "latency: %ld messages undelivered after 120 s\n", outstanding);

    long n = atomic_load(&measured);
    qsort(latency_ns, (size_t)n, sizeof *latency_ns, compare);
    printf("{\"mode\": \"produce\", \"acks\": \"%s\", \"size\": %ld, \"count\": %ld, \"errors\": %ld, "
           "\"seconds\": %.3f, \"msgs_per_s\": %.0f, \"mb_per_s\": %.1f, "
           "\"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f, \"p999\": %.3f, \"max\": %.3f}}\n",
           acks, size, count, atomic_load(&errors) + outstanding, seconds, (double)count / seconds,
           (double)count * (double)size / seconds / 1e6, percentile_ms(latency_ns, n, 50),
           percentile_ms(latency_ns, n, 99), percentile_ms(latency_ns, n, 99.9),
           n ? (double)latency_ns[n - 1] / 1e6 : 0.0);

    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return outstanding > 0 ? 1 : 0;
}
