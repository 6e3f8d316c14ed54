#ifndef JW_SYS_H
#define JW_SYS_H
#include <stddef.h>
#include <stdint.h>
#define JW_FIRMWARE_VERSION "0.1.0"
/* Chip id as 12 hex digits (MAC). */
void jw_sys_chip_id(char *buf, size_t len);
const char *jw_sys_chip(void);
const char *jw_sys_reset_reason(void);
void jw_sys_native_heap(uint32_t *free_bytes, uint32_t *min_free_bytes);
void jw_sys_restart(void) __attribute__((noreturn));
/* Consecutive-fault counter that survives a software restart (RTC memory / a file). */
uint32_t jw_sys_fault_count(void);
void jw_sys_set_fault_count(uint32_t n);
void jw_sys_sleep_ms(uint32_t ms);
#endif
