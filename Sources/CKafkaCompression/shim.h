// CKafkaCompression: the C libraries behind Kafka's compression codecs, from Debian's packages
// zlib1g-dev (gzip), libsnappy-dev (snappy, through its C API), liblz4-dev (LZ4 frames) and
// libzstd-dev (zstd, with zstd_errors.h for ZSTD_getErrorCode).
#ifndef CKAFKACOMPRESSION_SHIM_H
#define CKAFKACOMPRESSION_SHIM_H

#include <zlib.h>
#include <snappy-c.h>
#include <lz4frame.h>
#include <zstd.h>
#include <zstd_errors.h>

#endif
