/* The app image header (build/app-image.ts and docs/app-image.md are the spec; the two agree byte for byte). */
#ifndef JW_APP_IMAGE_H
#define JW_APP_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_IMAGE_MAGIC "JWAI"
#define JW_IMAGE_FORMAT 1u
#define JW_IMAGE_HEADER_BYTES 128u
#define JW_IMAGE_KIND_SOURCE 0u
#define JW_IMAGE_KIND_SNAPSHOT 1u

typedef struct {
  uint16_t format_version;
  uint32_t contract_version;
  uint32_t app_version;
  uint8_t payload_kind;
  uint32_t payload_size;
  char engine_version[24];   /* NUL-terminated */
  uint8_t engine_config_hash[16];
  uint8_t payload_sha256[32];
} jw_image_header_t;

typedef struct {
  uint32_t contract_version;
  uint8_t engine_config_hash[16];
  uint32_t max_bytes; /* slot size; 0 = no limit */
} jw_image_expect_t;

/* Header only: magic, format, header length, CRC, payload kind. */
bool jw_image_parse_header(const uint8_t *buf, size_t len, jw_image_header_t *out, char *reason, size_t reason_len);

/* Everything: header, contract, engine configuration, size, payload SHA-256. On success *payload points into buf.
 * The reasons are the same strings as build/app-image.ts validateAppImage. */
bool jw_image_validate(const uint8_t *buf, size_t len, const jw_image_expect_t *want, jw_image_header_t *out,
                       const uint8_t **payload, char *reason, size_t reason_len);

/* "0123abcd..." (32 hex chars) to 16 bytes. */
bool jw_hex16(const char *hex, uint8_t out[16]);

#endif
