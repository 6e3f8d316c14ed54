#include <stdarg.h>
#include <stdio.h>
#include "jw_log.h"

void jw_log(jw_log_level_t level, const char *tag, const char *fmt, ...) {
  static const char letters[] = "EWID";
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%c (%s) ", letters[level & 3], tag);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}
