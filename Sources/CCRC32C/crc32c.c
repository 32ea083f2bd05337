// CRC-32C (Castagnoli) for Kafka's RecordBatch v2.
//
// Three implementations, chosen once per process:
//   * x86_64 with SSE4.2: the `crc32` instruction, 8 bytes per instruction;
//   * AArch64 with the CRC extension (always on Apple silicon; probed with getauxval on Linux):
//     the `crc32cx` instruction, 8 bytes per instruction;
//   * everywhere else: slicing-by-8, eight 256-entry tables that fold 8 input bytes per step.
// All three compute the same function; the tests compare them on random data.
//
// The CRC is reflected (bits processed least significant first), polynomial 0x1EDC6F41, reflected
// form 0x82F63B78, initial value and final XOR 0xFFFFFFFF. The public functions take and return
// the finished (post-inverted) value, so chunks can be chained.
#include "ccrc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__linux__) && defined(__aarch64__) && !defined(__ARM_FEATURE_CRC32)
#include <sys/auxv.h>
#endif

#define CCRC32C_POLY 0x82F63B78u

// MARK: - Tables (slicing-by-8)

// table[0] is the classic byte-at-a-time table; table[k][b] is the CRC contribution of byte b
// followed by k zero bytes, which lets 8 bytes be folded with 8 independent lookups.
static uint32_t ccrc32c_table[8][256];
static int ccrc32c_use_hardware;
static pthread_once_t ccrc32c_once = PTHREAD_ONCE_INIT;

static int ccrc32c_probe_hardware(void);

static void ccrc32c_initialise(void) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = byte;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (CCRC32C_POLY & (0u - (crc & 1u)));
        ccrc32c_table[0][byte] = crc;
    }
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t crc = ccrc32c_table[0][byte];
        for (int slice = 1; slice < 8; slice++) {
            crc = (crc >> 8) ^ ccrc32c_table[0][crc & 0xFFu];
            ccrc32c_table[slice][byte] = crc;
        }
    }
    ccrc32c_use_hardware = ccrc32c_probe_hardware();
}

static inline uint32_t ccrc32c_load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

// `crc` here is the running (inverted) register, not the finished value.
static uint32_t ccrc32c_table_update(uint32_t crc, const uint8_t *data, size_t length) {
    while (length >= 8) {
        uint32_t low = ccrc32c_load_le32(data) ^ crc;
        uint32_t high = ccrc32c_load_le32(data + 4);
        crc = ccrc32c_table[7][low & 0xFFu] ^ ccrc32c_table[6][(low >> 8) & 0xFFu]
            ^ ccrc32c_table[5][(low >> 16) & 0xFFu] ^ ccrc32c_table[4][low >> 24]
            ^ ccrc32c_table[3][high & 0xFFu] ^ ccrc32c_table[2][(high >> 8) & 0xFFu]
            ^ ccrc32c_table[1][(high >> 16) & 0xFFu] ^ ccrc32c_table[0][high >> 24];
        data += 8;
        length -= 8;
    }
    while (length > 0) {
        crc = (crc >> 8) ^ ccrc32c_table[0][(crc ^ *data) & 0xFFu];
        data++;
        length--;
    }
    return crc;
}

// MARK: - x86_64: SSE4.2

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define CCRC32C_HAVE_HARDWARE 1

static int ccrc32c_probe_hardware(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
static uint32_t ccrc32c_hardware_update(uint32_t crc, const uint8_t *data, size_t length) {
    // Align to 8 bytes so that the 8-byte loads below never straddle a cache line needlessly.
    while (length > 0 && ((uintptr_t)data & 7u) != 0) {
        crc = __builtin_ia32_crc32qi(crc, *data);
        data++;
        length--;
    }
    uint64_t crc64 = crc;
    while (length >= 32) {
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, data, 8);
        memcpy(&w1, data + 8, 8);
        memcpy(&w2, data + 16, 8);
        memcpy(&w3, data + 24, 8);
        crc64 = __builtin_ia32_crc32di(crc64, w0);
        crc64 = __builtin_ia32_crc32di(crc64, w1);
        crc64 = __builtin_ia32_crc32di(crc64, w2);
        crc64 = __builtin_ia32_crc32di(crc64, w3);
        data += 32;
        length -= 32;
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);
        crc64 = __builtin_ia32_crc32di(crc64, word);
        data += 8;
        length -= 8;
    }
    crc = (uint32_t)crc64;
    while (length > 0) {
        crc = __builtin_ia32_crc32qi(crc, *data);
        data++;
        length--;
    }
    return crc;
}

// MARK: - AArch64: CRC extension

#elif defined(__aarch64__) && defined(__clang__) && (defined(__ARM_FEATURE_CRC32) || defined(__linux__))
#define CCRC32C_HAVE_HARDWARE 1

static int ccrc32c_probe_hardware(void) {
#if defined(__ARM_FEATURE_CRC32)
    return 1;  // The compilation target guarantees the instructions (e.g. every Apple arm64 CPU).
#else
    // HWCAP_CRC32 is bit 7 of AT_HWCAP on Linux/arm64.
    return (getauxval(AT_HWCAP) & (1ul << 7)) != 0 ? 1 : 0;
#endif
}

__attribute__((target("crc")))
static uint32_t ccrc32c_hardware_update(uint32_t crc, const uint8_t *data, size_t length) {
    while (length > 0 && ((uintptr_t)data & 7u) != 0) {
        crc = __builtin_arm_crc32cb(crc, *data);
        data++;
        length--;
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, data, 8);
        crc = __builtin_arm_crc32cd(crc, word);
        data += 8;
        length -= 8;
    }
    while (length > 0) {
        crc = __builtin_arm_crc32cb(crc, *data);
        data++;
        length--;
    }
    return crc;
}

// MARK: - Other CPUs

#else
#define CCRC32C_HAVE_HARDWARE 0

static int ccrc32c_probe_hardware(void) { return 0; }

#endif

// MARK: - Public entry points

uint32_t ccrc32c_extend_table(uint32_t crc, const uint8_t *data, size_t length) {
    pthread_once(&ccrc32c_once, ccrc32c_initialise);
    if (length == 0) return crc;
    return ~ccrc32c_table_update(~crc, data, length);
}

uint32_t ccrc32c_extend(uint32_t crc, const uint8_t *data, size_t length) {
    pthread_once(&ccrc32c_once, ccrc32c_initialise);
    if (length == 0) return crc;
#if CCRC32C_HAVE_HARDWARE
    if (ccrc32c_use_hardware) return ~ccrc32c_hardware_update(~crc, data, length);
#endif
    return ~ccrc32c_table_update(~crc, data, length);
}

int ccrc32c_is_hardware_accelerated(void) {
    pthread_once(&ccrc32c_once, ccrc32c_initialise);
    return ccrc32c_use_hardware;
}
