/** `jerrywatt dashboard` as a user runs it. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { startEmbeddedBroker } from '../../host/broker/embedded.ts';

const CLI = join(repoRoot(), 'bin/jerrywatt.js');

describe('jerrywatt dashboard', function () {
  this.timeout(60_000);

  it('serves the page for a given WebSocket broker and prints its URL; Ctrl-C stops it', async () => {
    const broker = await startEmbeddedBroker({ port: 0, wsPort: 0 });
    const p = spawn(process.execPath, [CLI, 'dashboard', '--broker', broker.ws!.url, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        p.stdout!.on('data', () => {
          const m = /dashboard (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        p.once('exit', () => reject(new Error(`exited early:\n${out}`)));
      });
      const config = (await (await fetch(new URL('config.json', url))).json()) as { wsUrl: string };
      assert.equal(config.wsUrl, broker.ws!.url);
      assert.equal((await fetch(new URL('app.js', url))).status, 200);
      assert.equal((await fetch(new URL('../../etc/passwd', url))).status, 404);
      p.kill('SIGINT');
      const code = await new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));
      assert.equal(code, 0, out);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
      await broker.close();
    }
  });

  it('refuses an MQTT URL, a bad port, and another address without --host, saying what to do', () => {
    const mqttUrl = spawnSync(process.execPath, [CLI, 'dashboard', '--broker', 'mqtt://127.0.0.1:1', '--port', '0'], { encoding: 'utf8' });
    assert.equal(mqttUrl.status, 1);
    assert.match(mqttUrl.stderr, /WebSocket listener/);
    const port = spawnSync(process.execPath, [CLI, 'dashboard', '--port', 'x'], { encoding: 'utf8' });
    assert.equal(port.status, 1);
    assert.match(port.stderr, /--port must be a port number/);
    const help = spawnSync(process.execPath, [CLI, 'dashboard', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--host <addr>/);
  });
});
