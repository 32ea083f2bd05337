// Placeholder: the implementation is being written (hardware CRC32 instruction with a table fallback).
#include "ccrc32c.h"

uint32_t ccrc32c_extend(uint32_t crc, const uint8_t *data, size_t length) {
    crc = ~crc;
    for (size_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

int ccrc32c_is_hardware_accelerated(void) { return 0; }
