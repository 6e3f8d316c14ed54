/** `jerrywatt flash`: prerequisites, then bundle, image, firmware, settings image, flash and monitor. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SETTINGS, type SettingName } from '../../device/settings/keys.ts';
import { idError, parseIdList, prefixError } from '../../device/ids.ts';
import { checkPrereqs, formatProblems } from './prereqs.ts';
import { idfVersionProblem } from './idf-version.ts';
import { chip as chipByName, flashPinsIn, type Chip } from './chips.ts';
import { firmwareWrites, flasherArgsProblems, readSdkconfigValue, type FlasherArgs } from './layout.ts';
import { chipDirs, flashPlan, quote, writeFlashArgs, FW_OUT, SETTINGS_IMAGE_STEP, type Step } from './plan.ts';
import { partition, readPartitions } from '../partitions.ts';
import { readPublicKeyDer, settingsCsv, settingsRows, type SettingValues } from './settings-image.ts';

export interface FlashOptions {
  port?: string;
  baud: string;
  chip: string;
  appVersion: string;
  wifiSsid?: string;
  wifiPass?: string;
  /** Files holding the Wi-Fi and MQTT passwords (a password never goes on a command line). */
  wifiPassFile?: string;
  passwordFile?: string;
  /** A device's settings from `jerrywatt provision` (device.json, mode 0600); the flags above override it. */
  provisioned?: string;
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
  /** Builds and the settings image go to <out>/<chip>/ (default dist/firmware). */
  out?: string;
}

export class FlashError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export function collectSettings(o: FlashOptions): { values: SettingValues; files: Partial<Record<SettingName, string>> } {
  const values: SettingValues = o.provisioned ? readProvisioned(o.provisioned) : {};
  const files: Partial<Record<SettingName, string>> = {};
  if (o.wifiPassFile) values.wifiPass = readSecretText(o.wifiPassFile, '--wifi-pass-file');
  if (o.passwordFile) values.mqttPass = readSecretText(o.passwordFile, '--password-file');
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

/** A secret from a file: refused when others may read it; one trailing newline dropped. */
function readSecretText(path: string, flag: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new FlashError(`cannot read ${flag} ${path}: ${(err as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) throw new FlashError(`${flag} ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 ${path}`);
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

/** The settings `jerrywatt provision --device` wrote (names from device/settings/keys.ts, string values). */
function readProvisioned(path: string): SettingValues {
  let obj: unknown;
  try {
    obj = JSON.parse(readSecretText(path, '--provisioned'));
  } catch (err) {
    if (err instanceof FlashError) throw err;
    throw new FlashError(`--provisioned ${path}: not JSON (${(err as Error).message}); pass the device.json jerrywatt provision wrote`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new FlashError(`--provisioned ${path}: expected a JSON object of settings`);
  const values: SettingValues = {};
  for (const [name, v] of Object.entries(obj)) {
    if (!Object.hasOwn(SETTINGS, name) || SETTINGS[name as SettingName].store !== 'settings' || typeof v !== 'string') throw new FlashError(`--provisioned ${path}: "${name}" is not a string setting of device/settings/keys.ts`);
    values[name as SettingName] = v;
  }
  return values;
}

/** Pin settings that would drive this chip's flash pins: refused before anything is built. */
export function pinProblems(c: Chip, values: SettingValues): string[] {
  const out: string[] = [];
  for (const name of ['ledPin', 'alarmPin', 'ledPins'] as const) {
    const v = values[name];
    if (v === undefined) continue;
    const hit = flashPinsIn(c, String(v));
    if (hit.length) out.push(`--set ${name}=${v}: GPIO ${hit.join(', ')} drive${hit.length === 1 ? 's' : ''} the flash on the ${c.target} (pins ${c.flashPins[0]}-${c.flashPins[1]}); pick others`);
  }
  return out;
}

/** The Python of the ESP-IDF environment that export.sh set up (it has esptool and idf.py's requirements). */
export function idfPython(env: NodeJS.ProcessEnv): string {
  return env.IDF_PYTHON_ENV_PATH ? join(env.IDF_PYTHON_ENV_PATH, 'bin', 'python') : 'python';
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
  const idfProblem = o.appOnly ? null : idfVersionProblem(root, env.IDF_PATH!);
  if (idfProblem) throw new FlashError(idfProblem);
  const appVersion = Number(o.appVersion);
  if (!Number.isInteger(appVersion) || appVersion < 0) throw new FlashError(`--app-version must be a non-negative integer`);
  let chip: Chip;
  try {
    chip = chipByName(o.chip);
  } catch (err) {
    throw new FlashError((err as Error).message);
  }
  const pins = pinProblems(chip, values);
  if (pins.length) throw new FlashError(pins.join('\n'));
  const rows = settingsRows(values, files);
  const hasSettings = rows.length > 1;
  if (o.appOnly && hasSettings) throw new FlashError('--app-only writes the app image only; drop the settings flags or the --app-only');
  const parts = readPartitions(join(root, 'partitions.csv'));
  const settings = partition(parts, 'settings');
  const ptOffset = Number(readSdkconfigValue(join(root, 'sdkconfig.defaults'), 'PARTITION_TABLE_OFFSET') ?? 0x8000);
  const outDir = resolve(root, o.out ?? FW_OUT);
  const dirs = chipDirs(outDir, chip);
  const steps = flashPlan({
    root, idfPath: env.IDF_PATH!, python: idfPython(env), jerryscriptPath: env.JERRYSCRIPT_PATH, port: o.port!, appVersion,
    appOnly: !!o.appOnly, monitor: !!o.monitor, outDir, chip,
    needsSetTarget: readSdkconfigValue(dirs.sdkconfig, 'IDF_TARGET') !== chip.target,
    firmware: firmwareWrites(chip, parts, ptOffset), settingsOffset: settings.offset, settingsSize: settings.size,
    appSlots: ['app_a', 'app_b'].map((l) => ({ label: l, offset: partition(parts, l).offset })), baud: Number(o.baud), hasSettings,
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
    let cmd = s.cmd;
    if (s.internal === 'write-flash') {
      if (o.dryRun) {
        say(`  $ ${quote([...s.cmd, '<flash mode, size and frequency from flasher_args.json>', ...writeFlashArgs([], s.writes!)])}`);
        continue;
      }
      cmd = [...s.cmd, ...writeFlashArgs(readFlasherArgs(dirs.build, chip, s.writes!), s.writes!)];
    }
    say(`  $ ${quote(cmd)}`);
    if (o.dryRun) continue;
    // The settings image holds the passwords and the client key: created 0600 before the generator writes into it.
    if (s.title === SETTINGS_IMAGE_STEP) {
      writeFileSync(cmd[4]!, '', { mode: 0o600 });
      chmodSync(cmd[4]!, 0o600);
    }
    const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'inherit', env: { ...env, JERRYSCRIPT_PATH: env.JERRYSCRIPT_PATH ?? '' } });
    if (r.status !== 0) throw new FlashError(`step ${i + 1} (${s.title}) failed with exit code ${r.status ?? r.signal}`, 1);
  }
  if (o.dryRun) say('dry run: nothing was executed');
  return { steps, lines };
}

/** The build's flash settings (mode, size, frequency), after checking that it writes what this project expects. */
function readFlasherArgs(buildDir: string, c: Chip, writes: Step['writes'] & object): string[] {
  const path = join(buildDir, 'flasher_args.json');
  let fa: FlasherArgs;
  try {
    fa = JSON.parse(readFileSync(path, 'utf8')) as FlasherArgs;
  } catch (err) {
    throw new FlashError(`cannot read ${path} (${(err as Error).message}): did the firmware build finish?`, 1);
  }
  const firmware = writes.filter((w) => w.file.startsWith(buildDir + '/')).map((w) => ({ ...w, file: w.file.slice(buildDir.length + 1) }));
  const problems = flasherArgsProblems(fa, firmware, c);
  if (problems.length) throw new FlashError(`${path} does not match partitions.csv and --chip ${c.target}; nothing was written:\n  - ${problems.join('\n  - ')}\n  delete ${dirname(buildDir)} and flash again`, 1);
  return fa.write_flash_args;
}
