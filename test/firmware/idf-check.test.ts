/**
 * The firmware against ESP-IDF v5.2.2's own build system (../shared/tools/idf-check: real CMake and Kconfig,
 * every project C file and jerry-core compiled for the ESP32-C3 with their exact command lines, undefined symbols
 * checked; docs/firmware.md says what it cannot see). Then what the real configuration produced: the settings,
 * the engine options, the flash layout `jerrywatt flash` expects, the MQTT queue budget of both runtimes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { readEngineConfig } from '../../build/firmware/engine.ts';
import { CHIPS } from '../../host/flash/chips.ts';
import { firmwareWrites, flasherArgsProblems, sdkconfigValue, type FlasherArgs } from '../../host/flash/layout.ts';
import { readPartitions } from '../../host/partitions.ts';
import { IDF_CHECK, PY, requireOrSkip, ROOT } from './shared-tree.ts';

const BUILD = join(ROOT, 'dist/idf-check');

function missingRig(): string[] {
  const missing: string[] = [];
  if (!existsSync(IDF_CHECK)) return [`${IDF_CHECK} (the shared tree beside the checkout)`];
  const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  for (const [cmd, pkg] of [['cmake', 'cmake'], ['ninja', 'ninja-build'], ['riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf'], ['riscv64-unknown-elf-nm', 'binutils-riscv64-unknown-elf']])
    if (!has(cmd!)) missing.push(pkg!);
  if (!existsSync('/usr/include/newlib/stdio.h')) missing.push('libnewlib-dev');
  if (spawnSync(PY, ['-c', 'import kconfiglib'], { stdio: 'ignore' }).status !== 0) missing.push('python3-kconfiglib');
  return missing;
}

describe('firmware against ESP-IDF v5.2.2 (idf-check, ESP32-C3)', function () {
  this.timeout(600_000);
  let out = '';
  let sdkconfig = '';

  before(function () {
    requireOrSkip(this, missingRig(), 'apt-get install -y cmake ninja-build gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf libnewlib-dev python3-kconfiglib; ../shared beside the checkout');
    rmSync(BUILD, { recursive: true, force: true });
    const r = spawnSync(IDF_CHECK, ['--build-dir', BUILD, '--jobs', String(availableParallelism())], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
    out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0) throw new Error(`idf-check failed (exit ${r.status}):\n${out}`);
    sdkconfig = readFileSync(join(BUILD, 'sdkconfig'), 'utf8');
  });

  it('configures, lands every sdkconfig.defaults line, compiles every project and engine file, leaves no symbol undefined', () => {
    const last = out.trim().split('\n').at(-1)!;
    const m = /configure ok, (\d+)\/(\d+) project files, (\d+)\/(\d+) engine files, undefined: none$/.exec(last);
    assert.ok(m, `unexpected summary: ${last}`);
    assert.equal(m[1], m[2]);
    assert.equal(m[3], m[4]);
    assert.ok(Number(m[3]) > 100, 'jerry-core was compiled');
    assert.match(out, /sdkconfig\.defaults ok \(1 file\(s\), every setting lands\)/);
    assert.match(out, /partition table ok/);
  });

  it('the settings that matter on a board are in the real configuration', () => {
    const v = (n: string) => sdkconfigValue(sdkconfig, n);
    assert.equal(v('IDF_TARGET'), 'esp32c3');
    assert.equal(v('MQTT_BUFFER_SIZE'), '2048', 'esp-mqtt buffer (needs MQTT_USE_CUSTOM_CONFIG)');
    assert.equal(v('ESP_COREDUMP_ENABLE_TO_FLASH'), 'y', 'core dumps into the coredump partition');
    assert.equal(v('MBEDTLS_CERTIFICATE_BUNDLE'), 'y', 'the bundle mqtt.c attaches when no CA is given');
    assert.equal(v('BOOTLOADER_APP_ROLLBACK_ENABLE'), 'y');
    assert.equal(v('PARTITION_TABLE_CUSTOM_FILENAME'), '../../partitions.csv');
  });

  it('jerry-core and the component are compiled with build/engine-config.json and the Kconfig heap', () => {
    const cfg = readEngineConfig();
    assert.equal(Number(sdkconfigValue(sdkconfig, cfg.heap.kconfig)), cfg.heap.defaultKb);
    const cc = JSON.parse(readFileSync(join(BUILD, 'compile_commands.json'), 'utf8')) as Array<{ file: string; command: string }>;
    for (const file of ['jerry-core/api/jerryscript.c', 'bindings/registry.c']) {
      const e = cc.find((x) => x.file.endsWith(file));
      assert.ok(e, `${file} is not compiled`);
      assert.ok(e.command.includes(`-DJERRY_GLOBAL_HEAP_SIZE="(${cfg.heap.defaultKb})"`), `${file}: heap`);
      for (const [k, val] of Object.entries(cfg.options)) assert.ok(e.command.includes(`-D${k}=${Number(val)}`), `${file}: -D${k}=${val}`);
    }
  });

  it('ESP-IDF\'s own flasher_args.json puts every firmware file where `jerrywatt flash` expects it', () => {
    const fa = JSON.parse(readFileSync(join(BUILD, 'flasher_args.json'), 'utf8')) as FlasherArgs;
    const ptOffset = Number(sdkconfigValue(sdkconfig, 'PARTITION_TABLE_OFFSET'));
    assert.deepEqual(flasherArgsProblems(fa, firmwareWrites(CHIPS.esp32c3, readPartitions(join(ROOT, 'partitions.csv')), ptOffset), CHIPS.esp32c3), []);
  });

  it('the MQTT queue budget: firmware configuration = host twin default = docs/firmware.md', () => {
    const kb = Number(sdkconfigValue(sdkconfig, 'JERRYWATT_MQTT_QUEUE_BUDGET_KB'));
    const bin = join(ROOT, 'dist/test/budget');
    mkdirSync(dirname(bin), { recursive: true });
    execFileSync('cc', ['-Inative/include', '-x', 'c', '-o', bin, '-'], {
      cwd: ROOT, input: '#include <stdio.h>\n#include "jw_mqtt.h"\nint main(void){printf("%u",(unsigned)(JW_MQTT_QUEUE_BUDGET_DEFAULT));return 0;}\n',
    });
    const host = execFileSync(bin, { encoding: 'utf8' });
    assert.equal(Number(host), kb * 1024);
    assert.match(readFileSync(join(ROOT, 'docs/firmware.md'), 'utf8'), new RegExp(`\`JERRYWATT_MQTT_QUEUE_BUDGET_KB\` \\| ${kb} \\|`));
  });
});

describe('ESP-IDF version gate (build/idf/idf_version.cmake, run by the project at configure time)', function () {
  before(function () {
    requireOrSkip(this, spawnSync('cmake', ['--version'], { stdio: 'ignore' }).status === 0 ? [] : ['cmake'], 'apt-get install -y cmake');
  });
  const gate = (v: string) => {
    const [a, b, c] = v.split('.');
    return spawnSync('cmake', [`-DIDF_VERSION_MAJOR=${a}`, `-DIDF_VERSION_MINOR=${b}`, `-DIDF_VERSION_PATCH=${c}`, '-P', join(ROOT, 'build/idf/idf_version.cmake')], { encoding: 'utf8' });
  };

  it('accepts 5.1.2 up to the last 5.x, refuses older and 6.x with what to install', () => {
    for (const v of ['5.1.2', '5.2.2', '5.3.1', '5.4.1']) assert.equal(gate(v).status, 0, `${v}: ${gate(v).stderr}`);
    for (const v of ['4.4.7', '5.0.6', '5.1.1']) {
      const r = gate(v);
      assert.notEqual(r.status, 0, `${v} was accepted`);
      assert.match(r.stderr.replace(/\s+/g, ' '), new RegExp(`ESP-IDF v${v.replace(/\./g, '\\.')} is too old: the firmware needs v5\\.1\\.2 or later 5\\.x .* Install v5\\.2\\.2`));
    }
    assert.match(gate('6.0.0').stderr.replace(/\s+/g, ' '), /ESP-IDF v6\.0\.0 is not supported/);
  });
});
