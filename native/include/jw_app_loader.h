/* Picks the app image to run at boot: the A/B rule (jw_app_boot.h) over the app_a/app_b partitions, mapped in
 * place, else the image embedded in the firmware. Same code on the device and on the host. */
#ifndef JW_APP_LOADER_H
#define JW_APP_LOADER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "jw_app_image.h"

typedef struct {
  const uint8_t *image; /* header + payload, valid for the life of the program */
  size_t len;
  jw_image_header_t header;
  const uint8_t *payload;
  char slot[16];   /* "app_a", "app_b" or "embedded" */
  bool probation;
} jw_loaded_app_t;

/* false when not even the embedded image is valid (reason logged). */
bool jw_app_load(const jw_image_expect_t *want, const uint8_t *embedded, size_t embedded_len, jw_loaded_app_t *out);
#endif
