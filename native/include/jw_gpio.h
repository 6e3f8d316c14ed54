#ifndef JW_GPIO_H
#define JW_GPIO_H
typedef enum { JW_GPIO_INPUT = 0, JW_GPIO_OUTPUT, JW_GPIO_INPUT_PULLUP, JW_GPIO_INPUT_PULLDOWN } jw_gpio_mode_t;
/* 0 on success, -1 for a pin that does not exist or may not be used (6-11 drive the flash on an ESP32). */
int jw_gpio_mode(int pin, jw_gpio_mode_t mode);
int jw_gpio_write(int pin, int level);
int jw_gpio_read(int pin);
#endif
