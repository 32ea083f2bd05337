// CCRC32C: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka's
// RecordBatch v2 (it covers the batch from its attributes field to the end).
//
// Conventions: a CRC starts at 0 and is extended chunk by chunk; the pre- and post-inversion are
// done inside, so ccrc32c_extend(ccrc32c_extend(0, a), b) == ccrc32c_extend(0, a ++ b).
// Check value: the nine ASCII bytes "123456789" give 0xE3069283.
//
// Thread safety: every function may be called from any thread at any time. The lookup tables and
// the CPU feature probe are initialised once, on first use, under pthread_once.
#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends `crc` (0 to start) over `length` bytes at `data`, with the fastest implementation this
/// CPU offers (the SSE4.2 or ARMv8 CRC32C instructions, else the slicing-by-8 tables).
uint32_t ccrc32c_extend(uint32_t crc, const uint8_t *data, size_t length);

/// The portable slicing-by-8 implementation, always available; for tests that compare it with the
/// hardware path, and for benchmarks.
uint32_t ccrc32c_extend_table(uint32_t crc, const uint8_t *data, size_t length);

/// 1 when ccrc32c_extend uses the CPU's CRC32C instruction, 0 when it uses the tables.
int ccrc32c_is_hardware_accelerated(void);

#endif
