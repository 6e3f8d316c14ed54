/**
 * Will the firmware fit? The image against its ota_0 slot and the run-time DRAM against what the ESP32 and the
 * ESP32-C3 have left after Wi-Fi starts. Inputs measured here (object sizes of the idf-check build, linked with
 * --gc-sections; the generated sdkconfig) meet figures from the ESP-IDF v5.2.2 tree (memory layouts, linker
 * scripts, Kconfig defaults) and ESTIMATES, each with its derivation. docs/firmware.md shows the same tables.
 */

/** Figures with no measurement here: each one's derivation. */
export const ESTIMATES = {
  /** ESP-IDF's "Minimizing Binary Size" guide shows ~835,553 bytes for an ESP32 Wi-Fi app (`idf.py size` sample). */
  idfWifiImage: 835_553,
  /** mbedTLS TLS client and X.509 on top of a Wi-Fi app (the guide's sample has no TLS client): guessed 100 KB. */
  tlsClient: 100 * 1024,
  /** esp-mqtt client and outbox: guessed 25 KB. */
  espMqtt: 25 * 1024,
  /** espcoredump (flash writer, ELF format, CRC32): guessed 15 KB. */
  coredump: 15 * 1024,
  /** Xtensa LX6 code of the project and the engine vs the RISC-V (RV32IMC) size measured here: guessed +15 %. */
  xtensaFactor: 1.15,
  /** .data + .bss of ESP-IDF itself in a Wi-Fi app (the same `idf.py size` sample: 14,956 + 15,808). */
  idfStaticDram: 30_764,
  /** IRAM code of that sample (83,918 bytes): on the ESP32-C3 IRAM and DRAM are one SRAM, so it is taken from DRAM. */
  idfIram: 83_918,
  /** Wi-Fi driver once started, beyond its 10 static RX buffers: task stack, management buffers, driver state; guessed 24 KB. */
  wifiDriverExtra: 24 * 1024,
  /** One TLS session's handshake peak beyond its record buffers (certificate chain parse, ECDHE): guessed 24 KB. */
  tlsHandshake: 24 * 1024,
  /** mbedTLS record overhead per buffer (header, IV, MAC; MBEDTLS_SSL_*_BUFFER_LEN minus content): about 0.5 KB each. */
  tlsRecordOverhead: 1024,
  /** Wi-Fi static RX buffer: "approximately 1.6KB" (ESP-IDF components/esp_wifi/Kconfig, ESP_WIFI_STATIC_RX_BUFFER_NUM). */
  wifiRxBuffer: 1600,
};

/** From the ESP-IDF v5.2.2 tree. */
export const IDF_FACTS = {
  /** components/heap/port/esp32/memory_layout.c: DRAM 0x3FFAE000-0x40000000 less the ROM data it reserves
   * (rom_data 0x6e0, rom_pro_data 0x440, rom_app_data 0x430). */
  esp32Dram: 0x40000000 - 0x3ffae000 - 0x6e0 - 0x440 - 0x430,
  /** components/esp_system/ld/esp32/memory.ld.in: dram0_0_seg len 0x2c200, where all static .data/.bss must fit. */
  esp32StaticDramMax: 0x2c200,
  /** components/heap/port/esp32c3/memory_layout.c: 0x3FC80000 up to APP_USABLE_DRAM_END (SOC_ROM_STACK_START
   * 0x3fcde710 - SOC_ROM_STACK_SIZE 0x2000, soc/esp32c3/include/soc/soc.h); IRAM code comes out of it too. */
  esp32c3Dram: 0x3fcde710 - 0x2000 - 0x3fc80000,
};

export interface Measured {
  /** Project code + rodata (RISC-V, --gc-sections), without the embedded app image. */
  projectCode: number;
  engineCode: number;
  appImage: number;
  projectBss: number;
  /** jerry_global_heap + jerry_global_context. */
  engineBss: number;
  /** The certificate bundle generated from ESP-IDF's cacrt_all.pem by its gen_crt_bundle.py. */
  certBundle: number;
  /** sizeof(jw_event_t) on the target (the DWARF of native/esp/queue.c). */
  eventBytes: number;
}

export interface Row {
  what: string;
  bytes: number;
  source: string;
}

export function imageRows(m: Measured): Row[] {
  const x = ESTIMATES.xtensaFactor;
  return [
    { what: 'ESP-IDF Wi-Fi app', bytes: ESTIMATES.idfWifiImage, source: 'estimate: ESP-IDF size guide sample' },
    { what: 'mbedTLS TLS client + X.509', bytes: ESTIMATES.tlsClient, source: 'estimate' },
    { what: 'esp-mqtt', bytes: ESTIMATES.espMqtt, source: 'estimate' },
    { what: 'espcoredump', bytes: ESTIMATES.coredump, source: 'estimate' },
    { what: 'certificate bundle (full)', bytes: m.certBundle, source: 'measured: gen_crt_bundle.py over cacrt_all.pem' },
    { what: 'JerryScript (jerry-core)', bytes: Math.round(m.engineCode * x), source: `measured RV32 ${m.engineCode} x ${x} (Xtensa estimate)` },
    { what: 'project C', bytes: Math.round(m.projectCode * x), source: `measured RV32 ${m.projectCode} x ${x} (Xtensa estimate)` },
    { what: 'embedded app image', bytes: m.appImage, source: 'measured: dist/device/app.img' },
  ];
}

export type ChipName = 'esp32' | 'esp32c3';

/** DRAM from power-on to a connected mqtts client with a full MQTT queue budget. sdk: the generated sdkconfig. */
export function dramRows(chip: ChipName, m: Measured, sdk: (name: string) => number): { capacity: Row; before: Row[]; after: Row[] } {
  const k = (n: string) => sdk(n);
  const cores = chip === 'esp32' ? 2 : 1;
  const capacity: Row = chip === 'esp32'
    ? { what: 'DRAM for data and heap', bytes: IDF_FACTS.esp32Dram, source: 'heap/port/esp32/memory_layout.c' }
    : { what: 'D/IRAM for code, data and heap', bytes: IDF_FACTS.esp32c3Dram, source: 'heap/port/esp32c3/memory_layout.c, soc/esp32c3/include/soc/soc.h' };
  const before: Row[] = [
    { what: 'ESP-IDF .data/.bss', bytes: ESTIMATES.idfStaticDram, source: 'estimate: size guide sample' },
    ...(chip === 'esp32c3' ? [{ what: 'ESP-IDF IRAM code (same SRAM on the C3)', bytes: ESTIMATES.idfIram, source: 'estimate: size guide sample' }] : []),
    { what: 'JS heap + engine context (static)', bytes: m.engineBss, source: `measured: jerry_global_heap (JERRYWATT_JS_HEAP_KB=${k('JERRYWATT_JS_HEAP_KB')}) + context` },
    { what: 'project .bss', bytes: m.projectBss, source: 'measured' },
    {
      what: 'system tasks (idle, IPC, timers, event loop, lwIP)',
      bytes: cores * k('FREERTOS_IDLE_TASK_STACKSIZE') + (cores > 1 ? cores * k('ESP_IPC_TASK_STACK_SIZE') : 0) + k('FREERTOS_TIMER_TASK_STACK_DEPTH') +
        k('ESP_TIMER_TASK_STACK_SIZE') + k('ESP_SYSTEM_EVENT_TASK_STACK_SIZE') + k('LWIP_TCPIP_TASK_STACK_SIZE'),
      source: 'Kconfig defaults (stack sizes)',
    },
    { what: 'Wi-Fi static RX buffers', bytes: k('ESP_WIFI_STATIC_RX_BUFFER_NUM') * ESTIMATES.wifiRxBuffer, source: 'Kconfig ESP_WIFI_STATIC_RX_BUFFER_NUM x 1.6 KB' },
    { what: 'Wi-Fi driver, task, management buffers', bytes: ESTIMATES.wifiDriverExtra, source: 'estimate' },
  ];
  const after: Row[] = [
    { what: 'JS task stack', bytes: k('JERRYWATT_JS_TASK_STACK_KB') * 1024, source: 'Kconfig JERRYWATT_JS_TASK_STACK_KB' },
    { what: 'event ring', bytes: k('JERRYWATT_EVENT_QUEUE_LEN') * m.eventBytes, source: `Kconfig JERRYWATT_EVENT_QUEUE_LEN x sizeof(jw_event_t) ${m.eventBytes}` },
    { what: 'queued MQTT payloads (budget, full)', bytes: k('JERRYWATT_MQTT_QUEUE_BUDGET_KB') * 1024, source: 'Kconfig JERRYWATT_MQTT_QUEUE_BUDGET_KB' },
    { what: 'esp-mqtt: in + out buffer, task stack', bytes: 2 * k('MQTT_BUFFER_SIZE') + k('MQTT_TASK_STACK_SIZE'), source: 'Kconfig MQTT_BUFFER_SIZE, MQTT_TASK_STACK_SIZE' },
    { what: 'TCP send + receive window', bytes: k('LWIP_TCP_SND_BUF_DEFAULT') + k('LWIP_TCP_WND_DEFAULT'), source: 'Kconfig LWIP_TCP_SND_BUF_DEFAULT, LWIP_TCP_WND_DEFAULT' },
    { what: 'TLS session records (in + out)', bytes: k('MBEDTLS_SSL_IN_CONTENT_LEN') + k('MBEDTLS_SSL_OUT_CONTENT_LEN') + ESTIMATES.tlsRecordOverhead, source: 'Kconfig MBEDTLS_SSL_IN/OUT_CONTENT_LEN + estimate' },
  ];
  return { capacity, before, after };
}

export const sum = (rows: Row[]) => rows.reduce((s, r) => s + r.bytes, 0);

/** Free DRAM after Wi-Fi starts, and the worst of (a) a connected client with the queue budget full and (b) a TLS
 * handshake (the queue is empty then: nothing arrives before the connection is up). */
export function dramMargin(chip: ChipName, m: Measured, sdk: (name: string) => number): { freeAfterWifi: number; need: number; margin: number } {
  const { capacity, before, after } = dramRows(chip, m, sdk);
  const freeAfterWifi = capacity.bytes - sum(before);
  const queue = after.find((r) => r.what.startsWith('queued MQTT'))!.bytes;
  const need = sum(after) + Math.max(0, ESTIMATES.tlsHandshake - queue);
  return { freeAfterWifi, need, margin: freeAfterWifi - need };
}
