/**
 * The one source-level rule nothing can run: only native/ includes ESP-IDF headers. What the ESP-IDF project
 * configures (settings, heap, engine options, flash layout, queue budget) is checked on the real configuration by
 * test/firmware/idf-check.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('ESP-IDF project files', () => {
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
