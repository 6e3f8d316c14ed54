/* Flash pins per chip. Sources: ESP32 and ESP32-C3: ESP-IDF v5.2.2 components/soc/<chip>/include/soc/spi_pins.h
 * (SPI_IOMUX_PIN_NUM_*; gpio.c asserts its target's row against them at compile time). ESP32-S3 (not in the
 * vendored tree): ESP32-S3 datasheet, "Pin overview": GPIO 26-32 are the quad SPI flash/PSRAM pins, 33-37 carry
 * octal flash/PSRAM on -R8/-N16R8 modules; all of 26-37 are reserved, since the module is not known here. */
#include <string.h>
#include "chip_pins.h"

typedef struct {
  const char *target;
  int first, last;
  const char *text;
} flash_pins_t;

static const flash_pins_t TABLE[] = {
    /* SD_CLK 6, SD_DATA0-3 7-10, SD_CMD 11 */
    {"esp32", JW_ESP32_FLASH_FIRST, JW_ESP32_FLASH_LAST, "6-11"},
    /* SPIHD 12, SPIWP 13, SPICS0 14, SPICLK 15, SPID 16, SPIQ 17 */
    {"esp32c3", JW_ESP32C3_FLASH_FIRST, JW_ESP32C3_FLASH_LAST, "12-17"},
    /* SPICS1 26, SPIHD 27, SPIWP 28, SPICS0 29, SPICLK 30, SPIQ 31, SPID 32, octal 33-37 */
    {"esp32s3", JW_ESP32S3_FLASH_FIRST, JW_ESP32S3_FLASH_LAST, "26-37"},
};

static const flash_pins_t *find(const char *target) {
  for (size_t i = 0; target && i < sizeof TABLE / sizeof TABLE[0]; i++)
    if (strcmp(TABLE[i].target, target) == 0) return &TABLE[i];
  return NULL;
}

bool jw_chip_flash_pin(const char *target, int pin) {
  const flash_pins_t *t = find(target);
  return t == NULL || (pin >= t->first && pin <= t->last);
}

const char *jw_chip_flash_pins(const char *target) {
  const flash_pins_t *t = find(target);
  return t ? t->text : "";
}
