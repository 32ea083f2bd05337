// CCRC32C: CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2.
#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends `crc` (0 to start) over `length` bytes at `data`.
uint32_t ccrc32c_extend(uint32_t crc, const uint8_t *data, size_t length);

/// 1 when the CPU's CRC32 instruction is used, 0 for the portable table.
int ccrc32c_is_hardware_accelerated(void);

#endif
