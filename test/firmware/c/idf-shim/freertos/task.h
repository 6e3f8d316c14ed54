/* Host stand-in for FreeRTOS task.h: delays are recorded, not slept. */
#ifndef SHIM_FREERTOS_TASK_H
#define SHIM_FREERTOS_TASK_H
#include "freertos/FreeRTOS.h"
void vTaskDelay(TickType_t ticks);
#endif
