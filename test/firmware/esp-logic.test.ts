/**
 * The ESP layer's logic, run on the host (test/firmware/c/esp_logic_test.c): the JerryScript port every
 * jerry_init() needs (jerry_port.c over stand-in ESP-IDF headers), the certificate bundle when no CA is given
 * (mqtt_verify.c), and each chip's flash pins (chip_pins.c), which must equal the table `jerrywatt flash` uses.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHIPS, isFlashPin } from '../../host/flash/chips.ts';
import { parseTap } from './c-toolchain.ts';
import { requireOrSkip, ROOT, VENDOR_JERRY } from './shared-tree.ts';

const OUT = join(ROOT, 'dist/test');
const BIN = join(OUT, 'esp-logic');

describe('ESP layer logic on the host (port, broker verification, flash pins)', function () {
  this.timeout(60_000);

  before(function () {
    const jerry = process.env.JERRYSCRIPT_PATH || VENDOR_JERRY;
    const missing: string[] = [];
    if (spawnSync('cc', ['--version'], { stdio: 'ignore' }).status !== 0) missing.push('gcc');
    if (!existsSync(join(jerry, 'jerry-core/include/jerryscript-port.h'))) missing.push(`JerryScript v3.0.0 headers (JERRYSCRIPT_PATH, or ${VENDOR_JERRY})`);
    requireOrSkip(this, missing, 'apt-get install -y gcc; the vendored tree beside the checkout as ../shared');
    mkdirSync(OUT, { recursive: true });
    execFileSync('cc', ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
      '-Itest/firmware/c/idf-shim', '-Inative/esp', '-Inative/include', '-Inative/test', `-I${join(jerry, 'jerry-core/include')}`,
      '-o', BIN, 'test/firmware/c/esp_logic_test.c', 'native/esp/jerry_port.c', 'native/esp/mqtt_verify.c', 'native/esp/chip_pins.c', '-lm'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  });

  it('passes every C test', () => {
    const r = spawnSync(BIN, [], { encoding: 'utf8' });
    const tap = parseTap(r.stdout);
    assert.deepEqual(tap.failed, [], r.stdout);
    assert.equal(tap.passed.length, tap.plan);
    for (const name of ['port_init_is_defined_and_returns', 'port_fatal_counts_a_fault_waits_and_restarts', 'tls_without_ca_uses_the_certificate_bundle', 'flash_pins_differ_per_chip'])
      assert.ok(tap.passed.includes(name), `${name} did not run`);
    assert.match(r.stdout, /^# print_buffer reaches stdout$/m);
    assert.equal(r.status, 0);
  });

  it('the firmware refuses exactly the pins that `jerrywatt flash` refuses, on every chip', () => {
    const fromC = execFileSync(BIN, ['pins'], { encoding: 'utf8' }).trim().split('\n');
    const fromTs: string[] = [];
    for (const c of Object.values(CHIPS)) for (let p = 0; p < 64; p++) if (isFlashPin(c, p)) fromTs.push(`${c.target} ${p}`);
    assert.deepEqual(fromC, fromTs);
  });
});
