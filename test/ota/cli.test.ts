/**
 * `jerrywatt ota publish|status` options (the CLI `retrain --publish` users also drive by hand): MQTT credentials
 * on every subcommand that connects, and --chunk checked on the host.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';

const BIN = fileURLToPath(new URL('../../bin/jerrywatt.js', import.meta.url));

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'ota', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, JERRYWATT_MQTT_PASSWORD: undefined, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('jerrywatt ota: credentials and --chunk', function () {
  this.timeout(30_000);
  let broker: EmbeddedBroker;
  let dir: string;
  let keyPath: string;
  let file: string;
  let pwFile: string;
  const logins: string[] = [];
  before(async () => {
    broker = await startEmbeddedBroker();
    // Only user u with password p may connect.
    broker.aedes.authenticate = (_client, username, password, done) => {
      logins.push(`${username}:${password?.toString()}`);
      done(null, username === 'u' && password?.toString() === 'p');
    };
    dir = mkdtempSync(join(tmpdir(), 'jw-ota-cli-'));
    keyPath = join(dir, 'k.key');
    writeFileSync(keyPath, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    file = join(dir, 'model.bin');
    pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'p\n', { mode: 0o600 });
    writeFileSync(file, Buffer.alloc(1000, 1));
    await new Promise<void>((resolve, reject) =>
      broker.aedes.publish({ cmd: 'publish', topic: 'esp/dev1/ota/status', payload: Buffer.from(JSON.stringify({ state: 'accepted', kind: 'model', version: 3 })), qos: 1, retain: true, dup: false }, (err) => (err ? reject(err) : resolve())),
    );
  });
  after(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ota status takes --username and --password-file (or the password in $JERRYWATT_MQTT_PASSWORD); --password is refused', async () => {
    const r = await cli(['status', '--broker', broker.url, '--username', 'u', '--password-file', pwFile, '--wait', '300', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { id: 'dev1', state: 'accepted', kind: 'model', version: 3, done: 0, total: 0, reason: '' });
    const denied = await cli(['status', '--broker', broker.url, '--wait', '300']);
    assert.notEqual(denied.code, 0, 'the broker refuses a client without credentials');
    const env = await cli(['status', '--broker', broker.url, '--username', 'u', '--wait', '300', '--json'], { JERRYWATT_MQTT_PASSWORD: 'p' });
    assert.equal(env.code, 0, env.stderr);
    const argv = await cli(['status', '--broker', broker.url, '--username', 'u', '--password', 'p']);
    assert.equal(argv.code, 2);
    assert.match(argv.stderr, /--password is not accepted.*--password-file/);
  });

  it('ota publish takes --username and --password-file (and the old --user)', async () => {
    const base = ['publish', '--broker', broker.url, '--device', 'ghost', '--kind', 'model', '--file', file, '--version', '1', '--key', keyPath, '--timeout', '1', '--chunk', '256'];
    logins.length = 0;
    const r = await cli([...base, '--username', 'u', '--password-file', pwFile]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /ghost: timeout/);
    assert.deepEqual(logins, ['u:p']);
    logins.length = 0;
    const old = await cli([...base, '--user', 'u', '--password-file', pwFile]);
    assert.equal(old.code, 1, old.stderr);
    assert.deepEqual(logins, ['u:p']);
  });

  it('ota publish checks --chunk on the host: a power of two from 256 to 4096', async () => {
    for (const chunk of ['1000', '128', '8192', 'big']) {
      const r = await cli(['publish', '--broker', broker.url, '--device', 'd', '--kind', 'model', '--file', file, '--version', '1', '--key', keyPath, '--chunk', chunk]);
      assert.equal(r.code, 2, `${chunk}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--chunk must be a power of two from 256 to 4096.*"${chunk}"`));
    }
  });
});
