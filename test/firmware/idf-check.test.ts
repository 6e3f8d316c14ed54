/**
 * The firmware against ESP-IDF v5.2.2's own build system (the idf-check rig of CI, docs/firmware.md: real CMake and Kconfig,
 * every project C file and jerry-core compiled for the ESP32-C3 with their exact command lines, undefined symbols
 * checked; docs/firmware.md says what it cannot see). Then what the real configuration produced: the settings,
 * the engine options, the flash layout `jerrywatt flash` expects, the MQTT queue budget of both runtimes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readEngineConfig } from '../../build/firmware/engine.ts';
import { CHIPS } from '../../host/flash/chips.ts';
import { firmwareWrites, flasherArgsProblems, sdkconfigValue, type FlasherArgs } from '../../host/flash/layout.ts';
import { partition, readPartitions } from '../../host/partitions.ts';
import { dramMargin, dramRows, ESTIMATES, IDF_FACTS, imageRows, sum, type Measured, type Row } from './memory-budget.ts';
import { IDF_CHECK, PY, requireOrSkip, ROOT, VENDOR_IDF } from './shared-tree.ts';

const BUILD = join(ROOT, 'dist/idf-check');

function missingRig(): string[] {
  const missing: string[] = [];
  if (!existsSync(IDF_CHECK)) return [`${IDF_CHECK} (the shared tree beside the checkout)`];
  const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  for (const [cmd, pkg] of [['cmake', 'cmake'], ['ninja', 'ninja-build'], ['riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf'], ['riscv64-unknown-elf-nm', 'binutils-riscv64-unknown-elf']])
    if (!has(cmd!)) missing.push(pkg!);
  if (!existsSync('/usr/include/newlib/stdio.h')) missing.push('libnewlib-dev');
  if (spawnSync(PY, ['-c', 'import kconfiglib'], { stdio: 'ignore' }).status !== 0) missing.push('python3-kconfiglib');
  if (spawnSync(PY, ['-c', 'import cryptography'], { stdio: 'ignore' }).status !== 0) missing.push('python3-cryptography');
  return missing;
}

describe('firmware against ESP-IDF v5.2.2 (idf-check, ESP32-C3)', function () {
  this.timeout(600_000);
  let out = '';
  let sdkconfig = '';

  before(function () {
    requireOrSkip(this, missingRig(), 'apt-get install -y cmake ninja-build gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf libnewlib-dev python3-kconfiglib python3-cryptography; ../shared beside the checkout');
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
      for (const [k, val] of Object.entries(cfg.options)) {
        const given: string[] = [...e.command.matchAll(new RegExp(`-D${k}=(\\S+)`, 'g'))].map((m) => m[1]!);
        assert.deepEqual(given, [String(Number(val))], `${file}: ${k} must be defined once, as ${val} (engine-config.json)`);
      }
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

  it('the image fits its ota_0 slot and the run-time DRAM fits the ESP32 and the ESP32-C3 after Wi-Fi starts (docs/firmware.md)', () => {
    const m = measure();
    const ota0 = partition(readPartitions(join(ROOT, 'partitions.csv')), 'ota_0').size;
    const image = imageRows(m);
    const fmt = (rows: Row[]) => rows.map((r) => `      ${r.what.padEnd(48)} ${String(r.bytes).padStart(8)}  ${r.source}`).join('\n');
    console.log(`    image estimate (ESP32):\n${fmt(image)}\n      total ${sum(image)} of ota_0 ${ota0} (${((100 * sum(image)) / ota0).toFixed(1)} %)`);
    assert.ok(sum(image) < ota0, `the firmware image estimate ${sum(image)} does not fit ota_0 (${ota0})`);
    const sdk = (n: string) => {
      const v = sdkconfigValue(sdkconfig, n);
      assert.ok(v !== undefined && /^\d+$/.test(v), `sdkconfig has no numeric CONFIG_${n}`);
      return Number(v);
    };
    const esp32Static = ESTIMATES.idfStaticDram + m.engineBss + m.projectBss;
    assert.ok(esp32Static < IDF_FACTS.esp32StaticDramMax, `ESP32 static DRAM ${esp32Static} > dram0_0_seg ${IDF_FACTS.esp32StaticDramMax}`);
    for (const chip of ['esp32', 'esp32c3'] as const) {
      const { capacity, before, after } = dramRows(chip, m, sdk);
      const r = dramMargin(chip, m, sdk);
      console.log(`    DRAM ${chip}: ${capacity.bytes} - \n${fmt(before)}\n      = ${r.freeAfterWifi} free after Wi-Fi; then\n${fmt(after)}\n      need ${r.need} (TLS handshake peak included), margin ${r.margin}`);
      assert.ok(r.margin > 0, `${chip}: DRAM need ${r.need} > free after Wi-Fi ${r.freeAfterWifi}`);
    }
  });
});

/** Sizes of the idf-check objects linked with --gc-sections from app_main (unresolved ESP-IDF symbols ignored). */
function measure(): Measured {
  const objs = (dir: string): string[] =>
    readdirSync(join(BUILD, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.obj')).map((f) => join(BUILD, dir, f));
  const img = objs('esp-idf/esp').filter((f) => f.endsWith('app.img.S.obj'));
  const project = objs('esp-idf/esp').filter((f) => !img.includes(f));
  const engine = objs('jerry-core');
  const tmp = mkdtempSync(join(tmpdir(), 'jw-size-'));
  const link = (name: string, files: string[]) => {
    const elf = join(tmp, name);
    spawnSync('riscv64-unknown-elf-ld', ['-m', 'elf32lriscv', '--gc-sections', '-e', 'app_main', '--unresolved-symbols=ignore-all', '--noinhibit-exec', '-o', elf, ...files], { stdio: 'ignore' });
    const [text, data, bss] = execFileSync('riscv64-unknown-elf-size', [elf], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    return { code: text! + data!, bss: bss! };
  };
  const p = link('project.elf', project);
  const pe = link('all.elf', [...project, ...engine]);
  execFileSync(PY, [join(VENDOR_IDF, 'components/mbedtls/esp_crt_bundle/gen_crt_bundle.py'), '--input', join(VENDOR_IDF, 'components/mbedtls/esp_crt_bundle/cacrt_all.pem'), '-q'], { cwd: tmp, stdio: 'ignore' });
  // sizeof(jw_event_t): the struct its typedef names, in the DWARF of the object that allocates the ring.
  const dwarf = execFileSync('riscv64-unknown-elf-objdump', ['--dwarf=info', project.find((f) => f.endsWith('/queue.c.obj'))!], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const typeRef = /DW_AT_name\s*:.*\bjw_event_t\n(?:.*\n)*?\s*<\w+>\s+DW_AT_type\s*:\s*<0x([0-9a-f]+)>/.exec(dwarf)?.[1];
  const eventBytes = Number(new RegExp(`<1><${typeRef}>: Abbrev Number: \\d+ \\(DW_TAG_structure_type\\)\\n\\s*<\\w+>\\s+DW_AT_byte_size\\s*:\\s*(\\d+)`).exec(dwarf)?.[1]);
  assert.ok(eventBytes > 0, 'sizeof(jw_event_t) not found in the DWARF of queue.c');
  const m: Measured = {
    projectCode: p.code, engineCode: pe.code - p.code, appImage: statSync(join(ROOT, 'dist/device/app.img')).size,
    projectBss: p.bss, engineBss: pe.bss - p.bss, certBundle: statSync(join(tmp, 'x509_crt_bundle')).size, eventBytes,
  };
  rmSync(tmp, { recursive: true, force: true });
  return m;
}


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
