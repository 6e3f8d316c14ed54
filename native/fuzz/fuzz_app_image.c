/* libFuzzer: the app image header and full image check (core/app_image.c), as the loader runs them on whatever
 * an app slot holds. The expectations are read from the input itself (contract, engine hash, slot size) so the
 * fuzzer can get past each check and reach the SHA-256 of the payload. The reason buffer is exactly as long as
 * the caller says (0..95 bytes), so ASan sees any write past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "jw_app_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t rl = size ? data[size - 1] % 96 : 0;
  char *reason = rl ? malloc(rl) : NULL;
  /* The image in a buffer of exactly its size: a read past the end is caught. */
  uint8_t *img = malloc(size ? size : 1);
  if (size) memcpy(img, data, size);

  jw_image_header_t h;
  /* Every refusal writes a reason, terminated inside the caller's buffer. */
  if (!jw_image_parse_header(img, size, &h, reason, rl) && rl && memchr(reason, '\0', rl) == NULL) abort();

  jw_image_expect_t want;
  memset(&want, 0, sizeof want);
  if (size >= 64) {
    want.contract_version = (uint32_t)img[8] | ((uint32_t)img[9] << 8) | ((uint32_t)img[10] << 16) | ((uint32_t)img[11] << 24);
    memcpy(want.engine_config_hash, img + 48, 16);
  }
  want.max_bytes = size >= 2 ? (uint32_t)(img[size - 2] * 64u) : 0; /* 0 = no limit, else up to ~16 KB */
  const uint8_t *payload = NULL;
  if (jw_image_validate(img, size, &want, &h, &payload, reason, rl)) {
    if (payload != img + JW_IMAGE_HEADER_BYTES || JW_IMAGE_HEADER_BYTES + (size_t)h.payload_size > size) abort();
    if (h.engine_version[23] != '\0') abort();
  } else if (rl && memchr(reason, '\0', rl) == NULL) {
    abort();
  }

  /* jw_hex16 on a NUL-terminated prefix of the input. */
  size_t n = size < 40 ? size : 40;
  char *s = malloc(n + 1);
  memcpy(s, data, n);
  s[n] = '\0';
  uint8_t out[16];
  if (jw_hex16(s, out) && strlen(s) != 32) abort();

  free(s);
  free(img);
  free(reason);
  return 0;
}
