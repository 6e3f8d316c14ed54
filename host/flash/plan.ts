/** The commands `jerrywatt flash` runs, in order, as data: printed by --dry-run, executed otherwise. */
import { join } from 'node:path';
import { readEngineConfig } from '../../build/firmware/engine.ts';

export interface Step {
  title: string;
  cmd: string[];
  /** Run in-process instead of spawning (shown as the equivalent command). */
  internal?: 'build' | 'settings-csv';
}

export interface PlanInput {
  root: string;
  idfPath: string;
  jerryscriptPath?: string;
  port: string;
  appVersion: number;
  appOnly: boolean;
  monitor: boolean;
  /** Offsets from partitions.csv */
  settingsOffset: number;
  settingsSize: number;
  appSlots: Array<{ label: string; offset: number }>;
  chip: string;
  baud: number;
  hasSettings: boolean;
}

export const IDF_PROJECT = 'build/idf';
export const FW_OUT = 'dist/firmware';

const hex = (n: number) => `0x${n.toString(16)}`;

export function flashPlan(p: PlanInput): Step[] {
  const idfPy = ['python', join(p.idfPath, 'tools', 'idf.py'), '-C', join(p.root, IDF_PROJECT), '-B', join(p.root, FW_OUT, 'build')];
  const esptool = ['python', '-m', 'esptool', '--chip', p.chip, '-p', p.port, '-b', String(p.baud)];
  const steps: Step[] = [
    { title: 'bundle and app image', internal: 'build', cmd: ['node', join(p.root, 'bin/jerrywatt.js'), 'build', '--app-version', String(p.appVersion)] },
  ];
  const img = join(p.root, 'dist/device/app.img');
  if (p.appOnly) {
    // Both slots: whichever one the device boots from gets the new app on the next reset.
    const args = p.appSlots.flatMap((s) => [hex(s.offset), img]);
    steps.push({ title: 'write the app image into the app slots', cmd: [...esptool, '--after', 'hard_reset', 'write_flash', ...args] });
  } else {
    const heapKb = readEngineConfig().heap.defaultKb;
    steps.push({
      title: 'firmware build (ESP-IDF + JerryScript)',
      cmd: [...idfPy, `-DJERRYSCRIPT_PATH=${p.jerryscriptPath}`, `-DSDKCONFIG=${join(p.root, FW_OUT, 'sdkconfig')}`, 'build'],
    });
    steps.push({ title: `flash firmware (JS heap ${heapKb} KB by default, see Kconfig)`, cmd: [...idfPy, '-p', p.port, '-b', String(p.baud), 'flash'] });
    // Runtime state (nvs) survives a full flash, so an earlier OTA or --app-only image could still be selected:
    // the same app goes into both app slots too, and the board runs what was just built whatever the state says.
    steps.push({ title: 'write the app image into the app slots', cmd: [...esptool, 'write_flash', ...p.appSlots.flatMap((s) => [hex(s.offset), img])] });
    if (p.hasSettings) {
      const csv = join(p.root, FW_OUT, 'settings.csv');
      const bin = join(p.root, FW_OUT, 'settings.bin');
      steps.push({ title: 'settings CSV from device/settings/keys.ts', internal: 'settings-csv', cmd: ['write', csv] });
      steps.push({
        title: 'settings NVS image',
        cmd: ['python', join(p.idfPath, 'components/nvs_flash/nvs_partition_generator/nvs_partition_gen.py'), 'generate', csv, bin, hex(p.settingsSize)],
      });
      steps.push({ title: 'flash settings', cmd: [...esptool, 'write_flash', hex(p.settingsOffset), bin] });
    }
  }
  if (p.monitor) steps.push({ title: 'serial monitor', cmd: [...idfPy, '-p', p.port, 'monitor'] });
  return steps;
}

export function quote(cmd: string[]): string {
  return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
