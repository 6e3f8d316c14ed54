#include <stdio.h>
#include <string.h>
#include "jw_app_image.h"
#include "jw_crc32.h"
#include "jw_crypto.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void hex(const uint8_t *b, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

bool jw_hex16(const char *s, uint8_t out[16]) {
  if (s == NULL || strlen(s) != 32) return false;
  for (int i = 0; i < 32; i++) {
    char c = s[i];
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) return false;
    if (i % 2 == 0) out[i / 2] = (uint8_t)(v << 4);
    else out[i / 2] |= (uint8_t)v;
  }
  return true;
}

bool jw_image_parse_header(const uint8_t *b, size_t len, jw_image_header_t *h, char *reason, size_t rl) {
  if (len < JW_IMAGE_HEADER_BYTES) {
    snprintf(reason, rl, "truncated header: %zu of %u bytes", len, JW_IMAGE_HEADER_BYTES);
    return false;
  }
  if (memcmp(b, JW_IMAGE_MAGIC, 4) != 0) {
    snprintf(reason, rl, "bad magic: not a jerrywatt app image");
    return false;
  }
  h->format_version = rd16(b + 4);
  if (h->format_version != JW_IMAGE_FORMAT) {
    snprintf(reason, rl, "unsupported format version %u (this build reads %u)", h->format_version, JW_IMAGE_FORMAT);
    return false;
  }
  if (rd16(b + 6) != JW_IMAGE_HEADER_BYTES) {
    snprintf(reason, rl, "bad header length %u", rd16(b + 6));
    return false;
  }
  if (jw_crc32(0, b, 96) != rd32(b + 96)) {
    snprintf(reason, rl, "header CRC mismatch");
    return false;
  }
  h->payload_kind = b[16];
  if (h->payload_kind > JW_IMAGE_KIND_SNAPSHOT) {
    snprintf(reason, rl, "unknown payload kind %u", h->payload_kind);
    return false;
  }
  h->contract_version = rd32(b + 8);
  h->app_version = rd32(b + 12);
  h->payload_size = rd32(b + 20);
  memcpy(h->engine_version, b + 24, 23);
  h->engine_version[23] = '\0';
  memcpy(h->engine_config_hash, b + 48, 16);
  memcpy(h->payload_sha256, b + 64, 32);
  return true;
}

bool jw_image_validate(const uint8_t *b, size_t len, const jw_image_expect_t *want, jw_image_header_t *h,
                       const uint8_t **payload, char *reason, size_t rl) {
  if (!jw_image_parse_header(b, len, h, reason, rl)) return false;
  if (h->contract_version != want->contract_version) {
    snprintf(reason, rl, "built for native contract %u, this runtime has %u", (unsigned)h->contract_version,
             (unsigned)want->contract_version);
    return false;
  }
  if (memcmp(h->engine_config_hash, want->engine_config_hash, 16) != 0) {
    char have[33], mine[33];
    hex(h->engine_config_hash, 16, have);
    hex(want->engine_config_hash, 16, mine);
    snprintf(reason, rl, "built for engine configuration %s, this runtime has %s", have, mine);
    return false;
  }
  uint64_t total = (uint64_t)JW_IMAGE_HEADER_BYTES + h->payload_size;
  if (want->max_bytes != 0 && total > want->max_bytes) {
    snprintf(reason, rl, "image of %llu bytes is larger than the %u-byte slot", (unsigned long long)total,
             (unsigned)want->max_bytes);
    return false;
  }
  if ((uint64_t)len < total) {
    snprintf(reason, rl, "truncated payload: %zu of %u bytes", len - JW_IMAGE_HEADER_BYTES, (unsigned)h->payload_size);
    return false;
  }
  uint8_t sha[32];
  jw_sha256(b + JW_IMAGE_HEADER_BYTES, h->payload_size, sha);
  if (memcmp(sha, h->payload_sha256, 32) != 0) {
    snprintf(reason, rl, "payload SHA-256 mismatch");
    return false;
  }
  if (payload) *payload = b + JW_IMAGE_HEADER_BYTES;
  return true;
}
