/**
 * A stand-in ESP-IDF for `jerrywatt flash`: an IDF_PATH whose idf.py and esptool.py record their command lines
 * (JSON lines in $JW_RECORD) instead of building or flashing, and whose nvs_partition_gen.py is ESP-IDF v5.2.2's
 * real one (and its version.cmake says v5.2.2). The fake `idf.py build` leaves what ESP-IDF 5.2 leaves for this project: the four firmware files and
 * a flasher_args.json (bootloader at 0x1000 on the ESP32, 0x0 on the C3/S3: BOOTLOADER_OFFSET_IN_FLASH; the
 * partition table at CONFIG_PARTITION_TABLE_OFFSET 0x8000; otadata and the first app partition from partitions.csv).
 * JW_FAKE_APP_OFFSET makes it a build for another partition table.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NVS_GEN, PY, VENDOR_IDF } from './shared-tree.ts';

const IDF_PY = `#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
with open(os.environ['JW_RECORD'], 'a') as f:
    f.write(json.dumps({'tool': 'idf.py', 'argv': args}) + '\\n')
build = args[args.index('-B') + 1]
sdkconfig = next(a.split('=', 1)[1] for a in args if a.startswith('-DSDKCONFIG='))
if 'set-target' in args:
    os.makedirs(build, exist_ok=True)
    with open(sdkconfig, 'w') as f:
        f.write('CONFIG_IDF_TARGET="%s"\\n' % args[args.index('set-target') + 1])
elif 'build' in args:
    target = open(sdkconfig).read().split('CONFIG_IDF_TARGET="')[1].split('"')[0]
    files = {'0x1000' if target == 'esp32' else '0x0': 'bootloader/bootloader.bin',
             '0x8000': 'partition_table/partition-table.bin', '0xd000': 'ota_data_initial.bin',
             os.environ.get('JW_FAKE_APP_OFFSET', '0x10000'): 'jerrywatt.bin'}
    for name in files.values():
        os.makedirs(os.path.dirname(os.path.join(build, name)), exist_ok=True)
        with open(os.path.join(build, name), 'w') as f:
            f.write('%s for %s\\n' % (name, target))
    with open(os.path.join(build, 'flasher_args.json'), 'w') as f:
        json.dump({'write_flash_args': ['--flash_mode', 'dio', '--flash_size', '4MB', '--flash_freq', '80m'],
                   'flash_settings': {'flash_mode': 'dio', 'flash_size': '4MB', 'flash_freq': '80m'},
                   'flash_files': files,
                   'extra_esptool_args': {'after': 'hard_reset', 'before': 'default_reset', 'stub': True, 'chip': target}}, f)
`;

const ESPTOOL_PY = `#!/usr/bin/env python3
import hashlib, json, os, sys
args = sys.argv[1:]
rec = {'tool': 'esptool.py', 'argv': args}
if 'write_flash' in args:
    rest = args[args.index('write_flash') + 1:]
    opts = []
    while rest and rest[0].startswith('--'):
        opts += rest[:2]
        rest = rest[2:]
    rec['options'] = opts
    rec['writes'] = []
    for off, path in zip(rest[0::2], rest[1::2]):
        data = open(path, 'rb').read()
        rec['writes'].append({'offset': int(off, 16), 'file': path, 'size': len(data), 'sha256': hashlib.sha256(data).hexdigest()})
with open(os.environ['JW_RECORD'], 'a') as f:
    f.write(json.dumps(rec) + '\\n')
`;

export interface Record {
  tool: 'idf.py' | 'esptool.py';
  argv: string[];
  options?: string[];
  writes?: Array<{ offset: number; file: string; size: number; sha256: string }>;
}

export interface FakeIdf {
  idfPath: string;
  /** IDF_PYTHON_ENV_PATH: its bin/python is Debian's python3. */
  pythonEnv: string;
  record: string;
  records(): Record[];
}

export function fakeIdf(): FakeIdf {
  const dir = mkdtempSync(join(tmpdir(), 'jw-idf-'));
  const idfPath = join(dir, 'esp-idf');
  const put = (rel: string, text: string) => {
    mkdirSync(join(idfPath, rel, '..'), { recursive: true });
    writeFileSync(join(idfPath, rel), text);
    chmodSync(join(idfPath, rel), 0o755);
  };
  put('tools/idf.py', IDF_PY);
  put('components/esptool_py/esptool/esptool.py', ESPTOOL_PY);
  mkdirSync(join(idfPath, 'tools/cmake'), { recursive: true });
  symlinkSync(join(VENDOR_IDF, 'tools/cmake/version.cmake'), join(idfPath, 'tools/cmake/version.cmake')); // v5.2.2 passes the gate
  mkdirSync(join(idfPath, 'components/nvs_flash/nvs_partition_generator'), { recursive: true });
  symlinkSync(NVS_GEN, join(idfPath, 'components/nvs_flash/nvs_partition_generator/nvs_partition_gen.py'));
  const pythonEnv = join(dir, 'python-env');
  mkdirSync(join(pythonEnv, 'bin'), { recursive: true });
  symlinkSync(PY, join(pythonEnv, 'bin', 'python'));
  const record = join(dir, 'record.jsonl');
  writeFileSync(record, '');
  return {
    idfPath, pythonEnv, record,
    records: () => readFileSync(record, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l) as Record),
  };
}
