/**
 * `jerrywatt flash` end to end, short of the serial port: IDF_PATH is a stand-in ESP-IDF whose idf.py and
 * esptool.py record (test/firmware/idf-recorder.ts); the settings image is made by ESP-IDF v5.2.2's real
 * nvs_partition_gen.py and read back by its nvs_tool.py. Every command, file and offset is checked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partition, readPartitions } from '../../host/partitions.ts';
import { fakeIdf, type FakeIdf, type Record } from './idf-recorder.ts';
import { decodeNvs } from './nvs-decode.ts';
import { missingNvsTools, requireOrSkip, ROOT, VENDOR_JERRY } from './shared-tree.ts';

const parts = readPartitions(join(ROOT, 'partitions.csv'));
const at = (name: string) => partition(parts, name).offset;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('jerrywatt flash, recorded (fake idf.py and esptool.py, real nvs_partition_gen.py)', function () {
  // The first `jerrywatt build` with JERRYSCRIPT_PATH builds the host engine for the snapshot (cached in dist/engine).
  this.timeout(300_000);
  let idf: FakeIdf;
  let tmp: string;
  let port: string;

  before(function () {
    requireOrSkip(this, missingNvsTools(), 'the vendored ESP-IDF beside the checkout as ../shared, and apt-get install -y python3-distutils');
    idf = fakeIdf();
    tmp = mkdtempSync(join(tmpdir(), 'jw-flash-rec-'));
    port = join(tmp, 'ttyUSB0'); // the port must exist; nothing is written to it
    writeFileSync(port, '');
  });

  function run(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    writeFileSync(idf.record, '');
    const env = { ...process.env, IDF_PATH: idf.idfPath, IDF_PYTHON_ENV_PATH: idf.pythonEnv, JERRYSCRIPT_PATH: VENDOR_JERRY, JW_RECORD: idf.record, ...extraEnv };
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/jerrywatt.js'), 'flash', '-p', port, ...args], { encoding: 'utf8', env });
    return { ...r, records: idf.records() };
  }

  it('a first full flash for the ESP32-C3: set-target, build, then ONE write of every file at its offset, settings decoded key by key', () => {
    const out = join(tmp, 'fw');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pub = join(tmp, 'ota.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    const ca = join(tmp, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIBfake,with "quotes"\n-----END CERTIFICATE-----\n');
    const wifiPass = join(tmp, 'wifi.txt');
    const mqttPass = join(tmp, 'mqtt.txt');
    writeFileSync(wifiPass, 'wifi-s3cret\n', { mode: 0o600 });
    writeFileSync(mqttPass, 'mqtt-s3cret', { mode: 0o600 });
    const r = run(['--chip', 'esp32c3', '--out', out, '-b', '460800', '--wifi-ssid', 'Home, "Net"', '--wifi-pass-file', wifiPass, '--broker', 'mqtts://broker.lan:8883',
      '--device-id', 'dev1', '--password-file', mqttPass, '--ca', ca, '--ota-pubkey', pub, '--set', 'healthSec=-7', '--set', 'ledPin=5']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.ok(!r.stdout.includes('s3cret') && !r.stderr.includes('s3cret'), 'a password was printed');

    const build = join(out, 'esp32c3', 'build');
    const sdkconfig = join(out, 'esp32c3', 'sdkconfig');
    const idfArgs = ['-C', join(ROOT, 'build/idf'), '-B', build, `-DSDKCONFIG=${sdkconfig}`, `-DJERRYSCRIPT_PATH=${VENDOR_JERRY}`];
    assert.deepEqual(r.records.map((x) => x.tool), ['idf.py', 'idf.py', 'esptool.py'], 'set-target, build, one esptool write: nothing else');
    assert.deepEqual(r.records[0]!.argv, [...idfArgs, 'set-target', 'esp32c3']);
    assert.deepEqual(r.records[1]!.argv, [...idfArgs, 'build']);
    const w = r.records[2]! as Required<Record>;
    assert.deepEqual(w.argv.slice(0, w.argv.indexOf('write_flash')), ['--chip', 'esp32c3', '-p', port, '-b', '460800', '--before', 'default_reset', '--after', 'hard_reset']);
    assert.deepEqual(w.options, ['--flash_mode', 'dio', '--flash_size', '4MB', '--flash_freq', '80m'], 'the flash settings of the build');

    const img = join(ROOT, 'dist/device/app.img');
    const settingsBin = join(out, 'esp32c3', 'settings.bin');
    const expected = [
      [0x0, join(build, 'bootloader/bootloader.bin')], // ESP32-C3: BOOTLOADER_OFFSET_IN_FLASH 0x0
      [0x8000, join(build, 'partition_table/partition-table.bin')], // CONFIG_PARTITION_TABLE_OFFSET
      [at('otadata'), join(build, 'ota_data_initial.bin')],
      [at('ota_0'), join(build, 'jerrywatt.bin')],
      [at('app_a'), img],
      [at('app_b'), img],
      [at('settings'), settingsBin],
    ];
    assert.deepEqual(w.writes.map((x) => [x.offset, x.file]), expected);
    for (const x of w.writes) assert.equal(x.sha256, sha(x.file), `${x.file} changed after it was written`);
    assert.equal(readFileSync(join(build, 'jerrywatt.bin'), 'utf8'), 'jerrywatt.bin for esp32c3\n');
    assert.equal(statSync(settingsBin).size, partition(parts, 'settings').size, 'the settings image fills its partition');
    for (const f of [settingsBin, join(out, 'esp32c3', 'settings.csv')]) assert.equal(statSync(f).mode & 0o777, 0o600, `${f} holds the passwords: mode 0600`);
    assert.equal(statSync(join(out, 'esp32c3', 'settings.csv')).mode & 0o777, 0o600);

    const nvs = decodeNvs(settingsBin);
    assert.deepEqual([...nvs.keys()], ['jerrywatt']);
    const got = Object.fromEntries(nvs.get('jerrywatt')!);
    assert.deepEqual(got, {
      wifiSsid: 'Home, "Net"', wifiPass: 'wifi-s3cret', brokerUrl: 'mqtts://broker.lan:8883', devId: 'dev1', mqttPass: 'mqtt-s3cret',
      mqttCa: readFileSync(ca, 'utf8'), healthSec: -7, ledPin: 5,
      otaPubKey: publicKey.export({ type: 'spki', format: 'der' }),
    });
  });

  it('the next flash for the same chip reuses its build (no set-target); another chip gets its own, with its bootloader offset', () => {
    const out = join(tmp, 'fw2');
    assert.equal(run(['--chip', 'esp32c3', '--out', out]).status, 0);
    const again = run(['--chip', 'esp32c3', '--out', out]);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(again.records.map((x) => x.argv.includes('set-target')), [false, false]);
    assert.equal(again.records[1]!.writes!.length, 6, 'bootloader, partition table, otadata, firmware, two app slots; no settings given');

    const esp32 = run(['--chip', 'esp32', '--out', out]);
    assert.equal(esp32.status, 0, esp32.stderr);
    assert.deepEqual(esp32.records[0]!.argv.slice(-2), ['set-target', 'esp32']);
    assert.equal(esp32.records[0]!.argv[3], join(out, 'esp32', 'build'));
    const writes = esp32.records[2]!.writes!;
    assert.deepEqual([writes[0]!.offset, writes[0]!.file], [0x1000, join(out, 'esp32', 'build', 'bootloader/bootloader.bin')]);
    assert.equal(esp32.records[2]!.argv[1], 'esp32');
  });

  it('refuses a build whose flasher_args.json disagrees with partitions.csv, and writes nothing', () => {
    const r = run(['--chip', 'esp32c3', '--out', join(tmp, 'fw3')], { JW_FAKE_APP_OFFSET: '0x20000' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /firmware \(ota_0\): expected jerrywatt\.bin at 0x10000, the build has nothing there/);
    assert.match(r.stderr, /also writes jerrywatt\.bin at 0x20000/);
    assert.deepEqual(r.records.map((x) => x.tool), ['idf.py', 'idf.py'], 'no esptool run');
  });

  it('--app-only: one esptool write of the image into both app slots, no build', () => {
    const r = run(['--app-only', '--chip', 'esp32s3']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.records.length, 1);
    assert.deepEqual(r.records[0]!.argv.slice(0, 2), ['--chip', 'esp32s3']);
    assert.deepEqual(r.records[0]!.writes!.map((x) => x.offset), [at('app_a'), at('app_b')]);
  });
});
