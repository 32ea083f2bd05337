/*
 * Watches the partition state znodes of one topic in ZooKeeper for Scripts/bench-partitions.sh,
 * in C against the ZooKeeper client library, so that thousands of partitions are read in one
 * pipelined pass (every zoo_aget queued at once) many times a second.
 *
 *   isr_watch ZK_CONNECT TOPIC PARTITIONS RF converge START_MS STABLE_S TIMEOUT_S
 *   isr_watch ZK_CONNECT TOPIC PARTITIONS RF absent BROKER TIMEOUT_S
 *
 * converge: waits until every partition's state znode exists with an ISR of RF replicas and has
 * stayed so for STABLE_S seconds (longer than replica.lag.time.max.ms plus its check period, so
 * that followers counted in the ISR but not really fetching would have been dropped meanwhile).
 * Prints "converged_s=X", X being the time from START_MS (wall-clock milliseconds, taken just
 * before the action measured) to the first pass of that stable stretch, then "min_isr_seen=N"
 * (the smallest ISR seen after the first full pass) and "passes=N". On timeout it prints
 * "converged_s=timeout" with the count of whole ISRs, and exits with status 1.
 *
 * absent: waits until no partition's ISR contains BROKER (a stopped broker was dropped from
 * every ISR); prints "absent_s=X" from the start of the watch.
 *
 * Progress goes to stderr every 2 s: partitions with a state, partitions with a full ISR.
 *
 *   gcc -O2 -o isr_watch Scripts/bench/isr_watch.c -lzookeeper_mt
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

typedef struct {
    int present;   /* the state znode exists */
    int isr_size;  /* replicas in its ISR */
    int has_broker;
} state_t;

static state_t *states;
static int partitions;
static int watched_broker = -1;
static int pending;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads `"isr":[a,b,c]` from the state JSON. */
static void parse_state(state_t *state, const char *value, int length) {
    char text[1024];
    int n = length < (int)sizeof(text) - 1 ? length : (int)sizeof(text) - 1;
    memcpy(text, value, n);
    text[n] = 0;
    state->present = 1;
    state->isr_size = 0;
    state->has_broker = 0;
    char *isr = strstr(text, "\"isr\":[");
    if (!isr) return;
    char *cursor = isr + 7;
    while (*cursor && *cursor != ']') {
        char *end;
        long id = strtol(cursor, &end, 10);
        if (end == cursor) break;
        state->isr_size++;
        if (id == watched_broker) state->has_broker = 1;
        cursor = end;
        if (*cursor == ',') cursor++;
    }
}

static void completion(int rc, const char *value, int value_len, const struct Stat *stat, const void *data) {
    (void)stat;
    state_t *state = &states[(intptr_t)data];
    if (rc == ZOK && value) {
        parse_state(state, value, value_len);
    } else {
        state->present = 0;
        state->isr_size = 0;
        state->has_broker = 0;
    }
    pthread_mutex_lock(&lock);
    if (--pending == 0) pthread_cond_signal(&done);
    pthread_mutex_unlock(&lock);
}

/* One pipelined pass over every partition's state znode. */
static void read_all(zhandle_t *zh, const char *topic) {
    char path[512];
    pthread_mutex_lock(&lock);
    pending = partitions;
    pthread_mutex_unlock(&lock);
    for (int p = 0; p < partitions; p++) {
        snprintf(path, sizeof(path), "/brokers/topics/%s/partitions/%d/state", topic, p);
        if (zoo_aget(zh, path, 0, completion, (const void *)(intptr_t)p) != ZOK) {
            states[p].present = 0;
            pthread_mutex_lock(&lock);
            pending--;
            pthread_mutex_unlock(&lock);
        }
    }
    pthread_mutex_lock(&lock);
    while (pending > 0) pthread_cond_wait(&done, &lock);
    pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: %s ZK TOPIC PARTITIONS RF converge START_MS STABLE_S TIMEOUT_S\n"
                        "       %s ZK TOPIC PARTITIONS RF absent BROKER TIMEOUT_S\n", argv[0], argv[0]);
        return 2;
    }
    const char *topic = argv[2];
    partitions = atoi(argv[3]);
    int rf = atoi(argv[4]);
    int converge = strcmp(argv[5], "converge") == 0;
    int64_t start_ms = wall_ms();
    int64_t stable_ms = 0, timeout_ms;
    if (converge) {
        if (argc < 9) return 2;
        start_ms = atoll(argv[6]);
        stable_ms = (int64_t)(atof(argv[7]) * 1000);
        timeout_ms = (int64_t)(atof(argv[8]) * 1000);
    } else {
        watched_broker = atoi(argv[6]);
        timeout_ms = (int64_t)(atof(argv[7]) * 1000);
    }
    states = calloc(partitions, sizeof(state_t));
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(argv[1], NULL, 30000, NULL, NULL, 0);
    if (!zh) { perror("zookeeper_init"); return 2; }
    int64_t watch_start = wall_ms();
    int64_t stretch_start = -1; /* first pass of the current all-full stretch */
    int64_t last_report = 0;
    int min_isr_seen = rf, seen_full = 0;
    long passes = 0;
    for (;;) {
        int64_t pass_ms = wall_ms();
        read_all(zh, topic);
        passes++;
        int present = 0, full = 0, min_isr = rf, with_broker = 0;
        for (int p = 0; p < partitions; p++) {
            present += states[p].present;
            if (states[p].present && states[p].isr_size >= rf) full++;
            if (states[p].present && states[p].isr_size < min_isr) min_isr = states[p].isr_size;
            with_broker += states[p].has_broker;
        }
        int64_t now = wall_ms();
        if (now - last_report >= 2000) {
            fprintf(stderr, "  [%6.1fs] states %d/%d, full ISR %d, smallest ISR %d%s\n", (now - start_ms) / 1000.0,
                    present, partitions, full, present ? min_isr : 0,
                    converge ? "" : (with_broker ? "" : ", broker absent from every ISR"));
            last_report = now;
        }
        if (converge) {
            if (present == partitions && full == partitions) {
                if (stretch_start < 0) stretch_start = pass_ms;
                seen_full = 1;
                if (now - stretch_start >= stable_ms) {
                    printf("converged_s=%.2f\nmin_isr_seen=%d\npasses=%ld\n", (stretch_start - start_ms) / 1000.0,
                           min_isr_seen, passes);
                    break;
                }
            } else {
                stretch_start = -1;
                if (seen_full && present == partitions && min_isr < min_isr_seen) min_isr_seen = min_isr;
            }
        } else if (present == partitions && with_broker == 0) {
            printf("absent_s=%.2f\n", (now - watch_start) / 1000.0);
            break;
        }
        if (now - watch_start > timeout_ms) {
            fprintf(stderr, "timed out: states %d/%d, full ISR %d\n", present, partitions, full);
            printf("%s=timeout full_isr_at_timeout=%d/%d smallest_isr=%d\n", converge ? "converged_s" : "absent_s", full,
                   partitions, present ? min_isr : 0);
            zookeeper_close(zh);
            return 1;
        }
        usleep(100000);
    }
    zookeeper_close(zh);
    return 0;
}
