#include <string.h>
#include "jw_gpio.h"
#include "jw_js.h"

/* Modes as the app set them: a write needs an output (the simulated board's rule, on every platform). */
static signed char mode_of[40];

/* EARG unless the argument is a usable GPIO: an integer 0..39, not 6..11 (they drive the flash). */
static bool pin_arg(const jerry_value_t args[], jerry_length_t argc, int *pin) {
  if (!jw_is_int(args, argc, 0)) return false;
  double d = jw_num(args, argc, 0);
  if (d < 0 || d > 39 || (d >= 6 && d <= 11)) return false;
  *pin = (int)d;
  return true;
}

JW_HANDLER(jw_b_gpio_mode) {
  (void)call;
  char mode[16];
  int pin;
  if (argc < 2 || !jw_str(args[1], mode, sizeof mode)) return jw_type_error("gpioMode", "(pin: number, mode: string)");
  if (!pin_arg(args, argc, &pin)) return jw_type_error("gpioMode", "pin is not a usable GPIO (0..39, not 6..11)");
  jw_gpio_mode_t m;
  if (strcmp(mode, "input") == 0) m = JW_GPIO_INPUT;
  else if (strcmp(mode, "output") == 0) m = JW_GPIO_OUTPUT;
  else if (strcmp(mode, "input_pullup") == 0) m = JW_GPIO_INPUT_PULLUP;
  else if (strcmp(mode, "input_pulldown") == 0) m = JW_GPIO_INPUT_PULLDOWN;
  else return jw_type_error("gpioMode", "unknown mode");
  if (jw_gpio_mode(pin, m) != 0) return jw_type_error("gpioMode", "pin not usable");
  mode_of[pin] = (signed char)(m + 1);
  return jerry_undefined();
}

JW_HANDLER(jw_b_gpio_write) {
  (void)call;
  int pin;
  if (!pin_arg(args, argc, &pin)) return jw_type_error("gpioWrite", "pin is not a usable GPIO (0..39, not 6..11)");
  if (!jw_is_number(args, argc, 1)) return jw_type_error("gpioWrite", "level must be 0 or 1");
  if (mode_of[pin] != JW_GPIO_OUTPUT + 1) return jw_type_error("gpioWrite", "pin is not an output (gpioMode first)");
  if (jw_gpio_write(pin, jw_num(args, argc, 1) != 0) != 0) return jw_type_error("gpioWrite", "pin not usable");
  return jerry_undefined();
}

JW_HANDLER(jw_b_gpio_read) {
  (void)call;
  int pin;
  if (!pin_arg(args, argc, &pin)) return jw_type_error("gpioRead", "pin is not a usable GPIO (0..39, not 6..11)");
  return jerry_number(jw_gpio_read(pin) ? 1 : 0);
}
