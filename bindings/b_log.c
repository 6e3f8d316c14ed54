#include <string.h>
#include "jw_js.h"
#include "jw_log.h"

JW_HANDLER(jw_b_log) {
  (void)call;
  char level[8], msg[512];
  if (!jw_is_string(args, argc, 0) || !jw_str(args[0], level, sizeof level)) return jw_type_error("log", "level must be a string");
  if (argc < 2 || !jerry_value_is_string(args[1])) return jw_type_error("log", "message must be a string");
  if (!jw_str(args[1], msg, sizeof msg)) { /* long messages are cut, never refused */
    jerry_size_t n = jerry_string_to_buffer(args[1], JERRY_ENCODING_UTF8, (jerry_char_t *)msg, sizeof msg - 4);
    memcpy(msg + n, "...", 4);
  }
  jw_log_level_t l = strcmp(level, "error") == 0 ? JW_LOG_ERROR
                     : strcmp(level, "warn") == 0 ? JW_LOG_WARN
                     : strcmp(level, "debug") == 0 ? JW_LOG_DEBUG
                                                   : JW_LOG_INFO;
  jw_log(l, "js", "%s", msg);
  return jerry_undefined();
}
