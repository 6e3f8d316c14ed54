/**
 * `jerrywatt ca init`, `provision`, `broker-config` as a user runs them: every file they write that holds a
 * secret is mode 0600, no secret is printed, bad ids are usage errors, and a provisioned operator's password
 * file drives another command (`ota status`) against the embedded broker under the fleet policy.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueCert } from '../../host/security/ca.ts';
import { fleetPolicy } from '../../host/security/policy.ts';
import { startEmbeddedBroker } from '../../host/broker/embedded.ts';

const BIN = fileURLToPath(new URL('../../bin/jerrywatt.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, JERRYWATT_MQTT_PASSWORD: undefined } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('security CLI: ca init, provision, broker-config', function () {
  this.timeout(60_000);
  let root: string;
  let fleet: string;
  let mosq: string;
  const outputs: string[] = [];
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'jw-sec-cli-'));
    fleet = join(root, 'fleet');
    mosq = join(root, 'mosquitto');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const run = async (args: string[], code = 0) => {
    const r = await cli(args);
    outputs.push(r.out);
    assert.equal(r.code, code, `${args.join(' ')}:\n${r.out}`);
    return r.out;
  };

  it('provisions a fleet in a few commands and refuses what it must', async () => {
    await run(['ca', 'init', '--fleet', fleet]);
    assert.match(await run(['ca', 'init', '--fleet', fleet], 1), /already exists/);
    assert.match(await run(['provision', '--fleet', fleet, '--device', 'dev1', '--meters', 'meter1', '--broker', 'mqtts://127.0.0.1:8883']), /flash --provisioned .*device\.json/);
    await run(['provision', '--fleet', fleet, '--device', 'dev2', '--auth', 'password', '--group', 'g1']);
    await run(['provision', '--fleet', fleet, '--user', 'alice', '--role', 'operator']);
    await run(['provision', '--fleet', fleet, '--user', 'gw1', '--role', 'gateway', '--auth', 'cert', '--meters', 'meter1']);
    await run(['provision', '--fleet', fleet, '--user', 'dash', '--role', 'viewer', '--auth', 'cert']);
    for (const bad of ['dev+', 'a/b', '', 'group']) {
      const r = await cli(['provision', '--fleet', fleet, '--device', bad]);
      assert.notEqual(r.code, 0, `--device "${bad}" accepted`);
      assert.match(r.out, /device id .*(wildcard|letters|empty|reserved)/, r.out);
    }
    assert.match(await run(['provision', '--fleet', fleet, '--device', 'meter1'], 1), /meter id/);
    assert.match(await run(['provision', '--fleet', fleet, '--device', 'dev1'], 1), /already provisioned/);
    assert.match(await run(['provision', '--fleet', fleet, '--user', 'bob'], 2), /--role/);
    await run(['broker-config', '--fleet', fleet, '--mosquitto', mosq, '--host', 'localhost', '--host', '127.0.0.1']);
    const acl = readFileSync(join(mosq, 'acl'), 'utf8');
    assert.match(acl, /user dev1\ntopic write esp\/dev1\/status/);
    assert.match(acl, /user gw1\ntopic write esp\/meter1\/modbus\n/);
    assert.match(readFileSync(join(mosq, 'mosquitto.conf'), 'utf8'), /protocol websockets/);
    assert.match(await run(['provision', '--fleet', fleet, '--list']), /alice\s+operator\s+password/);
  });

  it('every file written that holds a secret is mode 0600, and no secret reaches the output', () => {
    const secrets: string[] = [];
    for (const f of walk(join(fleet, 'identities'))) {
      if (f.endsWith('/password')) secrets.push(readFileSync(f, 'utf8').trim());
    }
    assert.equal(secrets.length, 2, 'dev2 and alice have passwords');
    const files = [...walk(fleet), ...walk(mosq)];
    const secretFiles: string[] = [];
    const wrong: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const holdsSecret = text.includes('PRIVATE KEY') || text.includes('$7$') || secrets.some((s) => text.includes(s));
      const mode = statSync(f).mode & 0o777;
      if (holdsSecret) {
        secretFiles.push(f);
        if (mode !== 0o600) wrong.push(`${f}: mode ${mode.toString(8)}`);
      }
    }
    console.log(`      ${files.length} files written, ${secretFiles.length} hold secrets, all 0600: ${wrong.length === 0}`);
    assert.deepEqual(wrong, []);
    // CA key, 3 client keys + 2 device settings (dev1 key, dev2 password), 2 passwords, fleet passwd, mosquitto passwd and server key.
    assert.ok(secretFiles.length >= 9, `found only ${secretFiles.length} secret files`);
    const printed = outputs.join('\n');
    for (const s of secrets) assert.equal(printed.includes(s), false, 'a password was printed');
    assert.equal(printed.includes('PRIVATE KEY'), false, 'a key was printed');
  });

  it("an operator's password file works with the shared connection flags; --password is refused", async () => {
    const server = issueCert(join(fleet, 'ca'), '127.0.0.1', 'server', { san: ['IP:127.0.0.1'] });
    const broker = await startEmbeddedBroker({ tls: { cert: server.certPem, key: server.keyPem }, policy: fleetPolicy(fleet) });
    try {
      const base = ['ota', 'status', '--broker', broker.url, '--ca', join(fleet, 'ca', 'ca.crt'), '--wait', '200'];
      assert.match(await run([...base, '--username', 'alice', '--password-file', join(fleet, 'identities', 'alice', 'password')]), /no device has reported/);
      assert.match(await run([...base, '--cert', join(fleet, 'identities', 'dash', 'cert.pem'), '--key', join(fleet, 'identities', 'dash', 'key.pem')]), /no device has reported/);
      assert.match(await run([...base, '--username', 'alice', '--password', 'x'], 2), /--password is not accepted/);
      assert.notEqual((await cli([...base, '--username', 'alice'])).code, 0, 'no password and no terminal to prompt on');
    } finally {
      await broker.close();
    }
  });

  it('every command that takes a password refuses it on the command line, saying what to use instead', async () => {
    const commands = [['led', 'on'], ['ota', 'publish'], ['ota', 'status'], ['collect'], ['retrain'], ['sim'], ['flash']];
    const results = await Promise.all(commands.map((c) => cli([...c, '--password', 's3cret-on-argv'])));
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 2, `${commands[i]!.join(' ')}: ${r.out}`);
      assert.match(r.out, /--password is not accepted.*--password-file/, commands[i]!.join(' '));
      assert.equal(r.out.includes('s3cret-on-argv'), false, 'the password is not echoed');
    }
    const wifi = await cli(['flash', '--wifi-pass', 'w']);
    assert.equal(wifi.code, 2);
    assert.match(wifi.out, /--wifi-pass is not accepted.*--wifi-pass-file/);
  });
});
