/* GPIO as log lines and runner events ("jw-event gpio <pin> <level>"); levels kept so that reads of an output
 * return what was written. */
#include "host_link.h"
#include "jw_gpio.h"
#include "jw_log.h"

#define PINS 40
static signed char level[PINS];
static signed char mode_of[PINS];

static int pin_ok(int pin) { return pin >= 0 && pin < PINS && !(pin >= 6 && pin <= 11); }

int jw_gpio_mode(int pin, jw_gpio_mode_t mode) {
  if (!pin_ok(pin)) return -1;
  mode_of[pin] = (signed char)(mode + 1);
  if (mode == JW_GPIO_INPUT_PULLUP) level[pin] = 1;
  jw_log(JW_LOG_INFO, "gpio", "gpio %d mode %d", pin, (int)mode);
  return 0;
}

int jw_gpio_write(int pin, int v) {
  if (!pin_ok(pin)) return -1;
  level[pin] = (signed char)(v ? 1 : 0);
  jw_log(JW_LOG_INFO, "gpio", "gpio %d = %d", pin, level[pin]);
  jw_host_event("gpio %d %d", pin, level[pin]);
  return 0;
}

int jw_gpio_read(int pin) { return pin_ok(pin) ? level[pin] : 0; }
