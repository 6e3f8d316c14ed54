/* jw-sim: the device runtime on the host (POSIX twin + bindings + JerryScript), for `jerrywatt sim --native`.
 *   jw-sim --image dist/device/app.img [--run-for MS]
 * State and flash live under JW_HOST_DIR; partitions.csv from JW_PARTITIONS. Exit code 3 means "restart me". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "jw_app_image.h"
#include "jw_app_loader.h"
#include "jw_events.h"
#include "jw_kv.h"
#include "jw_log.h"
#include "jw_sys.h"
#include "jw_vm.h"

#define CONTRACT_VERSION 2

/* The embedded image, mapped READ-ONLY as the device's flash is: a static snapshot runs in place from it, and
 * anything that writes into it dies here as it would on the device. */
static const uint8_t *map_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  struct stat st;
  void *p = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size > 0) p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return NULL;
  *len = (size_t)st.st_size;
  return p;
}

void jw_clock_init(void);

/* exit(3) (a restart) leaves without jerry_cleanup: the last heap figures still go to the log. */
static void heap_at_exit(void) { jw_vm_heap_report("at exit"); }

int main(int argc, char **argv) {
  jw_clock_init();           /* uptime counts from here */
  (void)jw_sys_reset_reason(); /* consumes the restart mark of the previous run */
  const char *image_path = "dist/device/app.img";
  uint32_t run_for = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--image") == 0) image_path = argv[i + 1];
    else if (strcmp(argv[i], "--run-for") == 0) run_for = (uint32_t)strtoul(argv[i + 1], NULL, 10);
  }
  size_t len;
  const uint8_t *embedded = map_file(image_path, &len);
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
  const char *ms = getenv("JW_MEM_STATS");
  jw_vm_config_t cfg = {.watchdog_ms = 5000, .fault_base_ms = 1000, .fault_max_ms = 60000, .healthy_after_ms = 60000,
                        .run_for_ms = run_for, .mem_stats = ms != NULL && *ms == '1'};
  /* On a manual clock, time moves when a test says so, also while a callback runs: it says nothing about how
   * long a callback took, so the watchdog is off. */
  const char *clk = getenv("JW_CLOCK");
  if (clk != NULL && strcmp(clk, "manual") == 0) cfg.watchdog_ms = UINT32_MAX;
  atexit(heap_at_exit);
  return jw_vm_run(&app, &cfg);
}
