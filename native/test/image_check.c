/* jw-image-check FILE CONTRACT ENGINE_HASH_HEX MAX_BYTES: validates an app image with the firmware's own code.
 * Prints "ok kind=<0|1> app=<n> size=<n>" or "refused: <reason>" (the mocha test compares with build/app-image.ts). */
#include <stdio.h>
#include <stdlib.h>
#include "jw_app_image.h"

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s FILE CONTRACT ENGINE_HASH_HEX MAX_BYTES\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) return 2;
  static uint8_t buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  jw_image_expect_t want = {.contract_version = (uint32_t)strtoul(argv[2], NULL, 10),
                            .max_bytes = (uint32_t)strtoul(argv[4], NULL, 10)};
  if (!jw_hex16(argv[3], want.engine_config_hash)) return 2;
  jw_image_header_t h;
  const uint8_t *payload;
  char reason[160];
  if (!jw_image_validate(buf, n, &want, &h, &payload, reason, sizeof reason)) {
    printf("refused: %s\n", reason);
    return 1;
  }
  printf("ok kind=%u app=%u size=%u\n", h.payload_kind, (unsigned)h.app_version, (unsigned)h.payload_size);
  return 0;
}
