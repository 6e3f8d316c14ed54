/** `jerrywatt flash`: prerequisites, then bundle, image, firmware, settings image, flash and monitor. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';
import { idError, parseIdList, prefixError } from '../../device/ids.ts';
import { checkPrereqs, formatProblems } from './prereqs.ts';
import { flashPlan, quote, type Step } from './plan.ts';
import { partition, readPartitions } from '../partitions.ts';
import { readPublicKeyDer, settingsCsv, settingsRows, type SettingValues } from './settings-image.ts';

export interface FlashOptions {
  port?: string;
  baud: string;
  chip: string;
  appVersion: string;
  wifiSsid?: string;
  wifiPass?: string;
  broker?: string;
  deviceId?: string;
  group?: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  otaPubkey?: string;
  set: string[];
  appOnly?: boolean;
  monitor?: boolean;
  dryRun?: boolean;
}

export class FlashError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export function collectSettings(o: FlashOptions): { values: SettingValues; files: Partial<Record<SettingName, string>> } {
  const values: SettingValues = {};
  const files: Partial<Record<SettingName, string>> = {};
  const flags: Array<[keyof FlashOptions, SettingName]> = [
    ['wifiSsid', 'wifiSsid'], ['wifiPass', 'wifiPass'], ['broker', 'brokerUrl'], ['deviceId', 'deviceId'],
    ['group', 'group'], ['username', 'mqttUser'], ['password', 'mqttPass'],
  ];
  for (const [flag, name] of flags) if (typeof o[flag] === 'string') values[name] = o[flag] as string;
  if (o.ca) files.mqttCa = resolve(o.ca);
  if (o.cert) files.mqttCert = resolve(o.cert);
  if (o.key) files.mqttKey = resolve(o.key);
  if (o.otaPubkey) values.otaPubKey = readPublicKeyDer(o.otaPubkey);
  for (const kv of o.set) {
    const eq = kv.indexOf('=');
    const name = kv.slice(0, eq) as SettingName;
    if (eq < 1 || !(name in SETTINGS)) throw new FlashError(`--set ${kv}: expected name=value with a name from device/settings/keys.ts`);
    values[name] = kv.slice(eq + 1);
  }
  // Ids become topic levels on the device, which refuses to start with a bad one: refuse it here first.
  const idProblem =
    (values.deviceId !== undefined ? idError('device', values.deviceId) : null) ??
    (values.group !== undefined && values.group !== '' ? idError('group', values.group) : null) ??
    (values.meters !== undefined ? (parseIdList('meter', String(values.meters)).errors[0] ?? null) : null) ??
    (values.topicPrefix !== undefined ? prefixError(values.topicPrefix) : null);
  if (idProblem) throw new FlashError(idProblem);
  if (values.brokerUrl !== undefined && !/^mqtts?:\/\/[^/:]+(:\d+)?$/.test(String(values.brokerUrl))) throw new FlashError(`--broker must look like mqtt://host:1883 or mqtts://host:8883`);
  return { values, files };
}

export interface FlashRun {
  steps: Step[];
  /** What was printed (dry run) or logged. */
  lines: string[];
}

export async function flash(root: string, o: FlashOptions, env: NodeJS.ProcessEnv, out: (s: string) => void): Promise<FlashRun> {
  const { values, files } = collectSettings(o); // settings first: a bad id or URL is reported on any machine
  const problems = checkPrereqs({ env, port: o.port, appOnly: !!o.appOnly, dryRun: !!o.dryRun });
  if (problems.length) throw new FlashError(formatProblems(problems));
  const appVersion = Number(o.appVersion);
  if (!Number.isInteger(appVersion) || appVersion < 0) throw new FlashError(`--app-version must be a non-negative integer`);
  const rows = settingsRows(values, files);
  const hasSettings = rows.length > 1;
  if (o.appOnly && hasSettings) throw new FlashError('--app-only writes the app image only; drop the settings flags or the --app-only');
  const parts = readPartitions(join(root, 'partitions.csv'));
  const settings = partition(parts, 'settings');
  const steps = flashPlan({
    root, idfPath: env.IDF_PATH!, jerryscriptPath: env.JERRYSCRIPT_PATH, port: o.port!, appVersion, appOnly: !!o.appOnly,
    monitor: !!o.monitor, settingsOffset: settings.offset, settingsSize: settings.size,
    appSlots: ['app_a', 'app_b'].map((l) => ({ label: l, offset: partition(parts, l).offset })), chip: o.chip,
    baud: Number(o.baud), hasSettings,
  });
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    out(s + '\n');
  };
  for (const [i, s] of steps.entries()) {
    say(`[${i + 1}/${steps.length}] ${s.title}`);
    if (s.internal === 'settings-csv') {
      say(`  write ${s.cmd[1]}:`);
      for (const l of settingsCsv(rows, { mask: true }).trimEnd().split('\n')) say(`    ${l}`);
      if (!o.dryRun) {
        mkdirSync(dirname(s.cmd[1]!), { recursive: true });
        writeFileSync(s.cmd[1]!, settingsCsv(rows, { mask: false }), { mode: 0o600 });
        chmodSync(s.cmd[1]!, 0o600);
      }
      continue;
    }
    say(`  $ ${quote(s.cmd)}`);
    if (o.dryRun) continue;
    const r = spawnSync(s.cmd[0]!, s.cmd.slice(1), { stdio: 'inherit', env: { ...env, JERRYSCRIPT_PATH: env.JERRYSCRIPT_PATH ?? '' } });
    if (r.status !== 0) throw new FlashError(`step ${i + 1} (${s.title}) failed with exit code ${r.status ?? r.signal}`, 1);
  }
  if (o.dryRun) say('dry run: nothing was executed');
  return { steps, lines };
}
