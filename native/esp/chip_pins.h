/* Per-chip GPIOs that must never be driven: they are wired to the SPI flash (and in-package PSRAM). Pure logic
 * (no ESP-IDF header): gpio.c asks it with CONFIG_IDF_TARGET, test/firmware runs it on the host. */
#ifndef JW_CHIP_PINS_H
#define JW_CHIP_PINS_H
#include <stdbool.h>

/* The table (sources in chip_pins.c). gpio.c checks its target's row against ESP-IDF's soc/spi_pins.h. */
#define JW_ESP32_FLASH_FIRST 6
#define JW_ESP32_FLASH_LAST 11
#define JW_ESP32C3_FLASH_FIRST 12
#define JW_ESP32C3_FLASH_LAST 17
#define JW_ESP32S3_FLASH_FIRST 26
#define JW_ESP32S3_FLASH_LAST 37

/* true when `pin` drives the flash on `target` ("esp32", "esp32c3", "esp32s3"); an unknown target reserves every
 * pin, so an unsupported chip gets no GPIO rather than a crash. */
bool jw_chip_flash_pin(const char *target, int pin);
/* The reserved pins of `target` as a "6-11" style list, "" for an unknown target (for logs and tests). */
const char *jw_chip_flash_pins(const char *target);
#endif
