#include "driver/gpio.h"
#include "jw_gpio.h"

static bool usable(int pin) { return pin >= 0 && pin < GPIO_NUM_MAX && GPIO_IS_VALID_GPIO(pin) && !(pin >= 6 && pin <= 11); }

int jw_gpio_mode(int pin, jw_gpio_mode_t mode) {
  if (!usable(pin)) return -1;
  gpio_config_t c = {
      .pin_bit_mask = 1ULL << pin,
      .mode = mode == JW_GPIO_OUTPUT ? GPIO_MODE_INPUT_OUTPUT : GPIO_MODE_INPUT, /* outputs stay readable */
      .pull_up_en = mode == JW_GPIO_INPUT_PULLUP ? GPIO_PULLUP_ENABLE : GPIO_PULLUP_DISABLE,
      .pull_down_en = mode == JW_GPIO_INPUT_PULLDOWN ? GPIO_PULLDOWN_ENABLE : GPIO_PULLDOWN_DISABLE,
      .intr_type = GPIO_INTR_DISABLE,
  };
  if (mode == JW_GPIO_OUTPUT && !GPIO_IS_VALID_OUTPUT_GPIO(pin)) return -1;
  return gpio_config(&c) == ESP_OK ? 0 : -1;
}

int jw_gpio_write(int pin, int level) {
  if (!usable(pin)) return -1;
  return gpio_set_level((gpio_num_t)pin, level ? 1 : 0) == ESP_OK ? 0 : -1;
}

int jw_gpio_read(int pin) { return usable(pin) ? gpio_get_level((gpio_num_t)pin) : 0; }
