#include "driver/gpio.h"
#include "sdkconfig.h"
#include "soc/spi_pins.h"
#include "chip_pins.h"
#include "jw_gpio.h"

/* The flash-pin table (chip_pins.c) agrees with this target's own SPI flash pins (soc/spi_pins.h). */
#define JW_FLASH_PIN(p) ((p) >= JW_FLASH_FIRST && (p) <= JW_FLASH_LAST)
#if CONFIG_IDF_TARGET_ESP32
#define JW_FLASH_FIRST JW_ESP32_FLASH_FIRST
#define JW_FLASH_LAST JW_ESP32_FLASH_LAST
#elif CONFIG_IDF_TARGET_ESP32C3
#define JW_FLASH_FIRST JW_ESP32C3_FLASH_FIRST
#define JW_FLASH_LAST JW_ESP32C3_FLASH_LAST
#elif CONFIG_IDF_TARGET_ESP32S3
#define JW_FLASH_FIRST JW_ESP32S3_FLASH_FIRST
#define JW_FLASH_LAST JW_ESP32S3_FLASH_LAST
#else
#error "jerrywatt: no flash-pin table for this target (native/esp/chip_pins.c): esp32, esp32c3, esp32s3"
#endif
_Static_assert(JW_FLASH_PIN(SPI_IOMUX_PIN_NUM_CLK) && JW_FLASH_PIN(SPI_IOMUX_PIN_NUM_CS) && JW_FLASH_PIN(SPI_IOMUX_PIN_NUM_MOSI) &&
                   JW_FLASH_PIN(SPI_IOMUX_PIN_NUM_MISO) && JW_FLASH_PIN(SPI_IOMUX_PIN_NUM_WP) && JW_FLASH_PIN(SPI_IOMUX_PIN_NUM_HD),
               "native/esp/chip_pins.c: this target's SPI flash pins are not all reserved");

static bool usable(int pin) {
  return pin >= 0 && pin < GPIO_NUM_MAX && GPIO_IS_VALID_GPIO(pin) && !jw_chip_flash_pin(CONFIG_IDF_TARGET, pin);
}

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
