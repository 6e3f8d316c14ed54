/** The ESP-IDF project files agree with the rest: partition table path, rollback, Kconfig heap = engine-config. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEngineConfig } from '../../build/firmware/engine.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('ESP-IDF project files', () => {
  const defaults = read('sdkconfig.defaults');

  it('sdkconfig.defaults: custom partition table (resolving to partitions.csv), rollback, MQTT buffers, ECDSA, log levels', () => {
    const m = /^CONFIG_PARTITION_TABLE_CUSTOM_FILENAME="(.+)"$/m.exec(defaults);
    assert.ok(m, 'no custom partition table file');
    assert.equal(resolve(ROOT, 'build/idf', m[1]!), join(ROOT, 'partitions.csv'));
    for (const line of ['CONFIG_PARTITION_TABLE_CUSTOM=y', 'CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y', 'CONFIG_MBEDTLS_ECDSA_C=y', 'CONFIG_MBEDTLS_ECP_DP_SECP256R1_ENABLED=y', 'CONFIG_LOG_DEFAULT_LEVEL_INFO=y', 'CONFIG_ESPTOOLPY_FLASHSIZE_4MB=y'])
      assert.ok(defaults.split('\n').includes(line), `missing ${line}`);
    assert.match(defaults, /^CONFIG_MQTT_BUFFER_SIZE=\d+$/m);
  });

  it('the JS heap Kconfig option is the one engine-config.json names, with its default', () => {
    const cfg = readEngineConfig();
    const kconfig = read('native/esp/Kconfig');
    const block = new RegExp(`config ${cfg.heap.kconfig}\\n[\\s\\S]*?default (\\d+)`).exec(kconfig);
    assert.ok(block, `Kconfig has no ${cfg.heap.kconfig}`);
    assert.equal(Number(block[1]), cfg.heap.defaultKb);
    assert.match(defaults, new RegExp(`^CONFIG_${cfg.heap.kconfig}=${cfg.heap.defaultKb}$`, 'm'));
    assert.match(kconfig, /config JERRYWATT_JS_TASK_STACK_KB/);
    assert.match(read('native/esp/CMakeLists.txt'), new RegExp(`CONFIG_${cfg.heap.kconfig}`));
  });

  it('the MQTT queue budget: Kconfig default = the host twin default, documented with its onError text', () => {
    const kconfig = read('native/esp/Kconfig');
    const block = /config JERRYWATT_MQTT_QUEUE_BUDGET_KB\n[\s\S]*?range (\d+) (\d+)\n\s*default (\d+)/.exec(kconfig);
    assert.ok(block, 'Kconfig has no JERRYWATT_MQTT_QUEUE_BUDGET_KB with range and default');
    const kb = Number(block[3]);
    assert.ok(kb >= Number(block[1]) && kb <= Number(block[2]));
    const host = /#define JW_MQTT_QUEUE_BUDGET_DEFAULT \((\d+)u \* 1024u\)/.exec(read('native/include/jw_mqtt.h'));
    assert.ok(host, 'jw_mqtt.h has no JW_MQTT_QUEUE_BUDGET_DEFAULT');
    assert.equal(Number(host[1]), kb);
    assert.match(read('native/esp/mqtt.c'), /CONFIG_JERRYWATT_MQTT_QUEUE_BUDGET_KB \* 1024u/);
    const doc = read('docs/firmware.md');
    assert.match(doc, new RegExp(`\`JERRYWATT_MQTT_QUEUE_BUDGET_KB\` \\| ${kb} \\|`));
    assert.match(doc, /`dropped <topic> <bytes> queue-full`/);
  });

  it('only native/ includes ESP-IDF headers; bindings/ include only the project headers and jerryscript.h', () => {
    const idfHeader = /#include\s+["<](esp_|freertos\/|driver\/|nvs|mqtt_client|lwip\/|sdkconfig)/;
    for (const f of readdirSync(join(ROOT, 'bindings')).filter((n) => /\.[ch]$/.test(n))) {
      const src = read(`bindings/${f}`);
      assert.doesNotMatch(src, idfHeader, `bindings/${f} includes an ESP-IDF header`);
      for (const m of src.matchAll(/#include\s+"([^"]+)"/g)) assert.ok(m[1] === 'jerryscript.h' || m[1] === 'jerryscript-port.h' || existsSync(join(ROOT, 'native/include', m[1]!)) || existsSync(join(ROOT, 'bindings', m[1]!)), `bindings/${f} includes ${m[1]}`);
    }
    for (const dir of ['native/core', 'native/posix']) for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.c'))) assert.doesNotMatch(read(`${dir}/${f}`), idfHeader, `${dir}/${f} is portable code`);
  });
});
