#include <string.h>
#include "jw_gpio.h"
#include "jw_js.h"

JW_HANDLER(jw_b_gpio_mode) {
  (void)call;
  char mode[16];
  if (!jw_is_number(args, argc, 0) || argc < 2 || !jw_str(args[1], mode, sizeof mode)) return jw_type_error("gpioMode", "(pin: number, mode: string)");
  jw_gpio_mode_t m;
  if (strcmp(mode, "input") == 0) m = JW_GPIO_INPUT;
  else if (strcmp(mode, "output") == 0) m = JW_GPIO_OUTPUT;
  else if (strcmp(mode, "input_pullup") == 0) m = JW_GPIO_INPUT_PULLUP;
  else if (strcmp(mode, "input_pulldown") == 0) m = JW_GPIO_INPUT_PULLDOWN;
  else return jw_type_error("gpioMode", "unknown mode");
  if (jw_gpio_mode((int)jw_num(args, argc, 0), m) != 0) return jw_type_error("gpioMode", "pin not usable");
  return jerry_undefined();
}

JW_HANDLER(jw_b_gpio_write) {
  (void)call;
  if (!jw_is_number(args, argc, 0) || !jw_is_number(args, argc, 1)) return jw_type_error("gpioWrite", "(pin: number, level: 0|1)");
  if (jw_gpio_write((int)jw_num(args, argc, 0), jw_num(args, argc, 1) != 0) != 0) return jw_type_error("gpioWrite", "pin not usable");
  return jerry_undefined();
}

JW_HANDLER(jw_b_gpio_read) {
  (void)call;
  if (!jw_is_number(args, argc, 0)) return jw_type_error("gpioRead", "pin must be a number");
  return jerry_number(jw_gpio_read((int)jw_num(args, argc, 0)) ? 1 : 0);
}
