#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "host_paths.h"

const char *jw_host_dir(void) {
  const char *d = getenv("JW_HOST_DIR");
  return (d && *d) ? d : ".jerrywatt/host";
}

int jw_host_path(char *out, size_t len, const char *sub) {
  if (getenv("JW_HOST_DIR") == NULL && mkdir(".jerrywatt", 0755) != 0 && errno != EEXIST) return -1;
  if (mkdir(jw_host_dir(), 0755) != 0 && errno != EEXIST) return -1;
  int n = snprintf(out, len, "%s/%s", jw_host_dir(), sub);
  if (n < 0 || (size_t)n >= len) return -1;
  if (mkdir(out, 0755) != 0 && errno != EEXIST) return -1;
  return 0;
}
