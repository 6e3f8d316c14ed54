/** The commands `jerrywatt flash` runs, in order, as data: printed by --dry-run, executed otherwise. */
import { join } from 'node:path';
import { readEngineConfig } from '../../build/firmware/engine.ts';
import type { Chip } from './chips.ts';
import { hex, type FlashWrite } from './layout.ts';

/** The step that runs nvs_partition_gen.py (flash.ts makes its output 0600 first). */
export const SETTINGS_IMAGE_STEP = 'settings NVS image';

export interface Step {
  title: string;
  cmd: string[];
  /**
   * 'settings-csv': written in-process (shown as the equivalent command). 'write-flash': cmd is esptool up to
   * `write_flash`; the flash settings of the build's flasher_args.json and `writes` follow at run time.
   */
  internal?: 'build' | 'settings-csv' | 'write-flash';
  writes?: FlashWrite[];
}

export interface PlanInput {
  root: string;
  idfPath: string;
  /** The Python of the ESP-IDF environment (IDF_PYTHON_ENV_PATH/bin/python, else `python`). */
  python: string;
  jerryscriptPath?: string;
  port: string;
  appVersion: number;
  appOnly: boolean;
  monitor: boolean;
  /** Where builds and the settings image go; each chip gets its own directory below it. */
  outDir: string;
  chip: Chip;
  /** The chip's sdkconfig does not exist yet or was made for another target. */
  needsSetTarget: boolean;
  /** bootloader, partition table, otadata, firmware: offsets from firmwareWrites(), files relative to the build. */
  firmware: FlashWrite[];
  settingsOffset: number;
  settingsSize: number;
  appSlots: Array<{ label: string; offset: number }>;
  baud: number;
  hasSettings: boolean;
}

export const IDF_PROJECT = 'build/idf';
export const FW_OUT = 'dist/firmware';

/** The per-chip build directory and sdkconfig: switching --chip never rebuilds the other chip's firmware. */
export function chipDirs(outDir: string, c: Chip): { dir: string; build: string; sdkconfig: string } {
  const dir = join(outDir, c.target);
  return { dir, build: join(dir, 'build'), sdkconfig: join(dir, 'sdkconfig') };
}

export function idfPyPath(idfPath: string): string {
  return join(idfPath, 'tools', 'idf.py');
}
export function esptoolPath(idfPath: string): string {
  return join(idfPath, 'components', 'esptool_py', 'esptool', 'esptool.py');
}
export function nvsGenPath(idfPath: string): string {
  return join(idfPath, 'components', 'nvs_flash', 'nvs_partition_generator', 'nvs_partition_gen.py');
}

export function flashPlan(p: PlanInput): Step[] {
  const d = chipDirs(p.outDir, p.chip);
  const idfPy = [p.python, idfPyPath(p.idfPath), '-C', join(p.root, IDF_PROJECT), '-B', d.build, `-DSDKCONFIG=${d.sdkconfig}`];
  const esptool = [p.python, esptoolPath(p.idfPath), '--chip', p.chip.target, '-p', p.port, '-b', String(p.baud), '--before', 'default_reset', '--after', 'hard_reset'];
  const img = join(p.root, 'dist/device/app.img');
  const slots: FlashWrite[] = p.appSlots.map((s) => ({ offset: s.offset, file: img, what: `app image (${s.label})` }));
  const steps: Step[] = [
    { title: 'bundle and app image', internal: 'build', cmd: ['node', join(p.root, 'bin/jerrywatt.js'), 'build', '--app-version', String(p.appVersion)] },
  ];
  if (p.appOnly) {
    // Both slots: whichever one the device boots from gets the new app on the next reset.
    steps.push({ title: 'write the app image into the app slots', cmd: [...esptool, 'write_flash', ...slots.flatMap((w) => [hex(w.offset), w.file])] });
  } else {
    const heapKb = readEngineConfig().heap.defaultKb;
    const jsPath = `-DJERRYSCRIPT_PATH=${p.jerryscriptPath}`;
    if (p.needsSetTarget) steps.push({ title: `select the ESP-IDF target ${p.chip.target} (new build directory)`, cmd: [...idfPy, jsPath, 'set-target', p.chip.target] });
    steps.push({ title: `firmware build for ${p.chip.target} (ESP-IDF + JerryScript, JS heap ${heapKb} KB by default, see Kconfig)`, cmd: [...idfPy, jsPath, 'build'] });
    const writes: FlashWrite[] = p.firmware.map((w) => ({ ...w, file: join(d.build, w.file) }));
    // Runtime state (nvs) survives a full flash, so an earlier OTA or --app-only image could still be selected:
    // the same app goes into both app slots too, and the board runs what was just built whatever the state says.
    writes.push(...slots);
    if (p.hasSettings) {
      const csv = join(d.dir, 'settings.csv');
      const bin = join(d.dir, 'settings.bin');
      steps.push({ title: 'settings CSV from device/settings/keys.ts', internal: 'settings-csv', cmd: ['write', csv] });
      steps.push({ title: SETTINGS_IMAGE_STEP, cmd: [p.python, nvsGenPath(p.idfPath), 'generate', csv, bin, hex(p.settingsSize)] });
      writes.push({ offset: p.settingsOffset, file: bin, what: 'settings' });
    }
    steps.push({
      title: `flash ${writes.map((w) => w.what).join(', ')}`,
      internal: 'write-flash',
      cmd: [...esptool, 'write_flash'],
      writes,
    });
  }
  if (p.monitor) steps.push({ title: 'serial monitor', cmd: [...idfPy, '-p', p.port, 'monitor'] });
  return steps;
}

/** The esptool arguments after `write_flash`: the build's flash settings, then offset and file of each write. */
export function writeFlashArgs(flashSettings: string[], writes: FlashWrite[]): string[] {
  return [...flashSettings, ...writes.flatMap((w) => [hex(w.offset), w.file])];
}

export function quote(cmd: string[]): string {
  return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
