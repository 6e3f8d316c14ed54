/**
 * The connection flags every command that talks to a broker shares: --broker, --username, --password-file,
 * --password-env, --prefix, --ca, --cert, --key. A password never goes on a command line (`ps` and shell history
 * see it): it comes from a file (mode 0600), an environment variable, or a prompt on the terminal. The old
 * `--password` flag stays, hidden, as an error that says what to use instead.
 */
import { readFileSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CliError } from './errors.ts';
import { DEFAULT_PREFIX } from '../../device/topics.ts';
import type { BrokerConnection } from '../mqtt/connect.ts';

/** Read when no --password-file is given and --password-env names no other variable. */
export const PASSWORD_ENV = 'JERRYWATT_MQTT_PASSWORD';
export const DEFAULT_BROKER = 'mqtt://127.0.0.1:1883';

export interface ConnectionFlags {
  broker?: string;
  username?: string;
  passwordFile?: string;
  passwordEnv?: string;
  /** Absent on commands set up with noPrefix. */
  prefix: string;
  ca?: string;
  cert?: string;
  /** The client key: `--key`, or `--client-key` on commands whose `--key` is the OTA signing key. */
  key?: string;
  clientKey?: string;
}

export interface ConnectionSetup {
  /** Default broker URL; undefined: no default (e.g. `sim`, where no --broker means the embedded one). */
  brokerDefault?: string;
  brokerHelp?: string;
  /** The command's own `--key` is something else (the OTA signing key): the client key is `--client-key`. */
  keyTaken?: boolean;
  /** Leave out --prefix (the command sets topics another way). */
  noPrefix?: boolean;
}

function refusePasswordFlag(flag: string): never {
  throw new CliError(
    `${flag} is not accepted: a password on the command line is visible to \`ps\` and kept in shell history. ` +
      `Use --password-file FILE (mode 0600), the ${PASSWORD_ENV} environment variable (or --password-env VAR), or leave it out to be prompted`,
    2,
  );
}

/** Adds the shared flags to `cmd`. */
export function addConnectionOptions(cmd: Command, setup: ConnectionSetup = { brokerDefault: DEFAULT_BROKER }): Command {
  const brokerHelp = setup.brokerHelp ?? 'MQTT broker: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://';
  if (setup.brokerDefault !== undefined) cmd.option('--broker <url>', brokerHelp, setup.brokerDefault);
  else cmd.option('--broker <url>', brokerHelp);
  cmd
    .option('--username <name>', 'MQTT username (a provisioned identity: jerrywatt provision)')
    .option('--password-file <file>', `file holding the MQTT password (mode 0600; default: $${PASSWORD_ENV}, else a prompt when --username is given on a terminal)`)
    .option('--password-env <var>', 'environment variable holding the MQTT password', PASSWORD_ENV);
  if (!setup.noPrefix) cmd.option('--prefix <p>', 'topic prefix (the devices\' topicPrefix setting)', DEFAULT_PREFIX);
  cmd
    .option('--ca <file>', 'PEM CA certificate the broker\'s certificate is checked against (mqtts)')
    .option('--cert <file>', 'PEM client certificate for mutual TLS (jerrywatt provision)')
    .option(setup.keyTaken ? '--client-key <file>' : '--key <file>', 'PEM client key for mutual TLS (mode 0600)')
    .addOption(new Option('--password <pw>').hideHelp().argParser(() => refusePasswordFlag('--password')));
  return cmd;
}

function readSecretFile(path: string, flag: string): string {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${flag} ${path}: ${(err as Error).message}`, 2);
  }
  // Like ssh with its keys: a secret others may read is not a secret any more.
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) throw new CliError(`${flag} ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 ${path}`, 2);
  return readFileSync(path, 'utf8');
}

function readPem(path: string | undefined, flag: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${flag} ${path}: ${(err as Error).message}`, 2);
  }
}

export interface ResolveIo {
  env?: NodeJS.ProcessEnv;
  /** Asks for the password; default: a prompt on the terminal when stdin is one. */
  prompt?: (question: string) => Promise<string | null>;
}

/** The typed connection (PEM text, password) from the flags. Reads files; may prompt. */
export async function resolveConnection(f: ConnectionFlags, io: ResolveIo = {}): Promise<BrokerConnection & { prefix: string }> {
  const env = io.env ?? process.env;
  const url = f.broker ?? DEFAULT_BROKER;
  if (!/^(mqtts?|wss?):\/\/[^/]+/.test(url)) throw new CliError(`--broker must look like mqtt://host:port or mqtts://host:port, got "${url}"`, 2);
  const keyPath = f.key ?? f.clientKey;
  const keyFlag = f.clientKey !== undefined ? '--client-key' : '--key';
  if (!!f.cert !== !!keyPath) throw new CliError(`--cert and ${keyFlag} go together (the client certificate and its key from jerrywatt provision)`, 2);
  let password: string | undefined;
  if (f.passwordFile !== undefined) password = readSecretFile(f.passwordFile, '--password-file').replace(/\r?\n$/, '');
  else if (f.passwordEnv && env[f.passwordEnv] !== undefined) password = env[f.passwordEnv];
  else if (f.passwordEnv && f.passwordEnv !== PASSWORD_ENV) throw new CliError(`--password-env: environment variable ${f.passwordEnv} is not set`, 2);
  else if (f.username && !f.cert) {
    const ask = io.prompt ?? promptOnTerminal;
    const p = await ask(`MQTT password for ${f.username}: `);
    if (p === null) throw new CliError(`--username ${f.username} needs a password: --password-file FILE, $${PASSWORD_ENV}, or run on a terminal to be prompted`, 2);
    password = p;
  }
  return {
    url,
    prefix: f.prefix ?? DEFAULT_PREFIX,
    username: f.username,
    password,
    ca: readPem(f.ca, '--ca'),
    cert: readPem(f.cert, '--cert'),
    key: keyPath === undefined ? undefined : readSecretFile(keyPath, keyFlag),
  };
}

/** Reads a line from the terminal without echoing it; null when stdin is not a terminal. */
async function promptOnTerminal(question: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return null;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let line = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve(line);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new CliError('cancelled', 130));
          }
          if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
          else line += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
