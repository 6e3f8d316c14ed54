/* jw-sim: the device runtime on the host (POSIX twin + bindings + JerryScript), for `jerrywatt sim --native`.
 *   jw-sim --image dist/device/app.img [--run-for MS]
 * State and flash live under JW_HOST_DIR; partitions.csv from JW_PARTITIONS. Exit code 3 means "restart me". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jw_app_image.h"
#include "jw_app_loader.h"
#include "jw_events.h"
#include "jw_kv.h"
#include "jw_log.h"
#include "jw_vm.h"

#define CONTRACT_VERSION 2

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = buf ? (size_t)n : 0;
  return buf;
}

int main(int argc, char **argv) {
  const char *image_path = "dist/device/app.img";
  uint32_t run_for = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--image") == 0) image_path = argv[i + 1];
    else if (strcmp(argv[i], "--run-for") == 0) run_for = (uint32_t)strtoul(argv[i + 1], NULL, 10);
  }
  size_t len;
  uint8_t *embedded = read_file(image_path, &len);
  if (embedded == NULL) {
    jw_log(JW_LOG_ERROR, "main", "cannot read %s (run `jerrywatt build` first)", image_path);
    return 2;
  }
  jw_image_expect_t want = {.contract_version = CONTRACT_VERSION};
  if (!jw_hex16(JW_ENGINE_CONFIG_HASH, want.engine_config_hash)) return 2;
  jw_kv_init();
  jw_queue_init(64);
  jw_loaded_app_t app;
  if (!jw_app_load(&want, embedded, len, &app)) return 4;
  jw_vm_config_t cfg = {.watchdog_ms = 5000, .fault_base_ms = 1000, .fault_max_ms = 60000, .healthy_after_ms = 60000,
                        .run_for_ms = run_for};
  return jw_vm_run(&app, &cfg);
}
