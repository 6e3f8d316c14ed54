/**
 * The C that runs without the engine, built with -Wall -Wextra -Werror and checked by cppcheck: event queue,
 * timers, MQTT reassembly, image header checks, crypto wrappers, boot rule, and the POSIX layer against a real
 * mosquitto on an ephemeral port.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { make, parseTap, requireCTools } from './c-toolchain.ts';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE = join(ROOT, 'native');
export const C_OUT = join(ROOT, 'dist/native/test');

describe('firmware C (host build, no engine)', function () {
  this.timeout(120_000);
  let broker: MosquittoHandle | undefined;

  before(function () {
    requireCTools(this);
    make(['unit', `OUT=${C_OUT}`], NATIVE);
  });
  after(() => broker?.stop());

  it('passes cppcheck over native/ and bindings/', function () {
    const r = spawnSync('make', ['lint'], { cwd: NATIVE, encoding: 'utf8' });
    assert.equal(r.status, 0, `cppcheck found problems:\n${r.stdout}${r.stderr}`);
  });

  it('passes every C unit test, including MQTT against mosquitto', async function () {
    broker = await startMosquitto();
    const hostDir = mkdtempSync(join(tmpdir(), 'jw-host-'));
    const r = spawnSync(join(C_OUT, 'jw-unit'), [], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, JW_TEST_MQTT_PORT: String(broker.port), JW_HOST_DIR: hostDir, JW_PARTITIONS: join(ROOT, 'partitions.csv') },
    });
    const tap = parseTap(r.stdout);
    assert.deepEqual(tap.failed, [], `C tests failed:\n${r.stdout}\n${r.stderr}`);
    assert.deepEqual(tap.skipped, [], 'no C test may be skipped here');
    assert.equal(tap.passed.length, tap.plan, `plan ${tap.plan}, passed ${tap.passed.length}:\n${r.stdout}`);
    assert.ok(tap.passed.includes('mqtt_against_mosquitto'));
    for (const name of ['asm_oversize_is_never_allocated', 'asm_queue_budget_is_shared_and_released', 'asm_flood_stays_within_budget', 'mqtt_queue_budget_against_mosquitto', 'part_map_is_made_once', 'part_map_refuses_app_partitions'])
      assert.ok(tap.passed.includes(name), `${name} did not run`);
    assert.equal(r.status, 0);
  });
});
