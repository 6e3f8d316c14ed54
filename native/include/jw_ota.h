/* Firmware OTA slots (esp_ota_ops on the device; a state file on the host). */
#ifndef JW_OTA_H
#define JW_OTA_H
#include <stddef.h>
#include <stdint.h>
#include "jw_part.h"
int jw_ota_next_slot(jw_part_info_t *out);
/* 0 when the firmware image in `label` is valid, else -1 with the reason. */
int jw_ota_validate(const char *label, uint32_t size, char *reason, size_t reason_len);
int jw_ota_set_boot(const char *label, char *reason, size_t reason_len);
/* state: new | pending-verify | valid | invalid | aborted | undefined */
int jw_ota_running(char *label, size_t label_len, const char **state);
void jw_ota_mark_valid(void);
void jw_ota_rollback(void);
#endif
