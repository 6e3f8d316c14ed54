import { Option, type Command } from 'commander';
import { CliError } from '../errors.ts';
import { addConnectionOptions, resolveConnection, type ConnectionFlags } from '../connection.ts';
import { optionalId, requireIdList, requirePrefix } from '../ids.ts';

interface PublishCli extends ConnectionFlags {
  device?: string;
  group?: string;
  expect?: string;
  kind: string;
  file: string;
  version: string;
  key: string;
  chunk: string;
  ttl: string;
  timeout: string;
  chip?: string;
  /** Old name of --username (hidden). */
  user?: string;
}

interface CancelCli extends ConnectionFlags {
  device?: string;
  group?: string;
  timeout: string;
}

interface StatusCli extends ConnectionFlags {
  wait: string;
  json?: boolean;
}

const int = (v: string, name: string, min = 0): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer >= ${min}, got "${v}"`);
  return n;
};

/** docs/ota-protocol.md: payload bytes per frame are a power of two from 256 to 4096. */
export function checkChunk(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 256 || n > 4096 || (n & (n - 1)) !== 0) throw new CliError(`--chunk must be a power of two from 256 to 4096 (256, 512, 1024, 2048, 4096), got "${v}"`, 2);
  return n;
}

/** `jerrywatt ota keygen|publish|cancel|status`: signed, device-pulled OTA over MQTT (docs/ota-protocol.md). */
export default function register(program: Command): void {
  const ota = program.command('ota').description('OTA over MQTT: signing keys, signed updates of firmware, app image or model, device status');

  ota
    .command('keygen')
    .description('write an ECDSA P-256 key pair: <out>.key (private, mode 0600) and <out>.pub (SPKI PEM, for flash/sim --ota-pubkey)')
    .option('--out <base>', 'path without extension', 'ota-signing')
    .action(async (opts: { out: string }) => {
      const { writeKeyPair } = await import('../../ota/offer.ts');
      try {
        const r = writeKeyPair(opts.out);
        process.stdout.write(`private key ${r.privatePath} (keep it off devices)\npublic key  ${r.publicPath}\n`);
      } catch (err) {
        throw new CliError(`keygen: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? `${opts.out}.key exists; pick another --out` : (err as Error).message}`);
      }
    });

  const publish = ota
    .command('publish')
    .description('offer a signed update to one device or a group and serve its chunks until every device reports')
    .option('--device <id>', 'target device id')
    .option('--group <g>', 'target group (the devices\' "group" setting)')
    .option('--expect <ids>', 'comma-separated devices a group publish waits for (default: every device that answers)')
    .requiredOption('--kind <kind>', 'firmware | app | model')
    .requiredOption('--file <path>', 'the image (ESP-IDF app image, dist/device/app.img, model.bin)')
    .requiredOption('--version <n>', 'monotonic version of this kind; must equal the version inside an app image or model')
    .requiredOption('--key <path>', 'private key from `ota keygen`')
    .option('--chunk <bytes>', 'payload bytes per frame (256..4096, power of two)', '4096')
    .option('--ttl <sec>', 'offer expires after this many seconds (0: never)', '3600')
    .option('--timeout <sec>', 'give up on devices that have not finished', '600')
    .option('--chip <chip>', 'only devices of this chip (e.g. esp32)')
    .addOption(new Option('--user <name>', 'old name of --username').hideHelp());
  addConnectionOptions(publish, { brokerDefault: 'mqtt://127.0.0.1:1883', keyTaken: true })
    .addHelpText('after', '\nExit status: 0 when every device accepted; 1 when any rejected, rolled back or timed out.\nExample: jerrywatt ota publish --device dev1 --kind app --file dist/device/app.img --version 2 --key ota-signing.key')
    .action(async (o: PublishCli) => {
      // Ids become topic levels: a wildcard would subscribe to the whole fleet, a '/' to another device's topics.
      optionalId('device', o.device, '--device');
      optionalId('group', o.group, '--group');
      if (!!o.device === !!o.group) throw new CliError('give exactly one of --device, --group');
      if (o.kind !== 'firmware' && o.kind !== 'app' && o.kind !== 'model') throw new CliError(`--kind must be firmware, app or model, got "${o.kind}"`);
      const expect = o.expect === undefined ? undefined : requireIdList('device', o.expect, '--expect');
      requirePrefix(o.prefix);
      // Every option is checked before the image and the key are read.
      const chunk = checkChunk(o.chunk);
      const version = int(o.version, '--version', 1);
      const ttlMs = int(o.ttl, '--ttl') * 1000;
      const timeoutMs = int(o.timeout, '--timeout', 1) * 1000;
      const conn = await resolveConnection({ ...o, username: o.username ?? o.user, key: undefined });
      const { readFileSync } = await import('node:fs');
      const { buildManifest, loadPrivateKey, signOffer } = await import('../../ota/offer.ts');
      const { publishUpdate } = await import('../../ota/publisher.ts');
      const { progressView } = await import('../../ota/progress.ts');
      let image: Buffer;
      try {
        image = readFileSync(o.file);
      } catch (err) {
        throw new CliError(`cannot read --file ${o.file}: ${(err as Error).message}`);
      }
      let key;
      try {
        key = loadPrivateKey(o.key);
      } catch (err) {
        throw new CliError(`--key: ${(err as Error).message}`);
      }
      let manifest;
      try {
        manifest = buildManifest({
          kind: o.kind,
          version,
          image,
          target: o.device ? { device: o.device } : { group: o.group! },
          chunk,
          chip: o.chip,
          ttlMs,
        });
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError(`publish refused: ${(err as Error).message}`);
      }
      const offer = signOffer(manifest, key);
      const view = progressView(Math.ceil(manifest.size / manifest.chunk));
      process.stderr.write(`offering ${o.kind} v${manifest.version} (${manifest.size} bytes, session ${manifest.session.toString(16)}) to ${o.device ?? `group ${o.group}`} via ${conn.url}\n`);
      let r;
      try {
        r = await publishUpdate({
          url: conn.url,
          prefix: conn.prefix,
          offer,
          manifest,
          image,
          expect: o.device ? [o.device] : expect,
          timeoutMs,
          username: conn.username,
          password: conn.password,
          ca: conn.ca,
          cert: conn.cert,
          key: conn.key,
          onProgress: view.update,
        });
      } catch (err) {
        view.stop();
        throw new CliError(`publish: ${(err as Error).message}`);
      }
      view.stop();
      const { printableValue: p } = await import('../../text/sanitize.ts');
      for (const d of r.devices.values()) {
        const secs = d.finishedAt && d.firstRequestAt ? ` in ${((d.finishedAt - d.firstRequestAt) / 1000).toFixed(1)} s` : '';
        // Ids, states and reasons come from devices: printed with their control characters escaped.
        process.stdout.write(`${p(d.id)}: ${p(d.state)}${d.reason ? ` (${p(d.reason)})` : ''}${secs}, ${d.framesSent} frames sent for ${d.total} chunks\n`);
      }
      if (r.devices.size === 0) throw new CliError('no device answered');
      if (!r.ok) throw new CliError('not every device accepted the update', 1);
    });

  const cancel = ota
    .command('cancel')
    .description('cancel the update offered to a device or group: clears the retained offer, which the device takes as a cancel')
    .option('--device <id>', 'target device id')
    .option('--group <g>', 'target group (clears the group offer; devices still at it cancel)')
    .option('--timeout <ms>', 'how long to wait for the device to confirm', '5000');
  addConnectionOptions(cancel)
    .addHelpText('after', '\nExit status: 0 when the update was cancelled or nothing was in progress; 1 when the device did not confirm.\nAn update past its boot switch is not cancelled: its probation decides (within otaProbeSec).\nExample: jerrywatt ota cancel --device dev1')
    .action(async (o: CancelCli) => {
      optionalId('device', o.device, '--device');
      optionalId('group', o.group, '--group');
      if (!!o.device === !!o.group) throw new CliError('give exactly one of --device, --group');
      requirePrefix(o.prefix);
      const timeoutMs = int(o.timeout, '--timeout', 1);
      const conn = await resolveConnection(o);
      const { cancelUpdate } = await import('../../ota/cancel.ts');
      const { printableValue: p } = await import('../../text/sanitize.ts');
      let r;
      try {
        r = await cancelUpdate({ connection: conn, prefix: conn.prefix, target: o.device ? { device: o.device } : { group: o.group! }, timeoutMs });
      } catch (err) {
        throw new CliError(`cancel: ${(err as Error).message}. Is the broker at ${conn.url} running?`);
      }
      const s = r.status;
      // The status is the device's text: printed with its control characters escaped.
      const what = s?.kind ? `${p(s.kind)} v${p(s.version)} (session ${p(s.session)})` : 'the update';
      if (r.outcome === 'cleared') return void process.stdout.write(`group ${o.group}: offer cleared; devices still downloading it cancel\n`);
      if (r.outcome === 'cancelled') return void process.stdout.write(`${o.device}: cancelled ${what}\n`);
      if (r.outcome === 'idle') return void process.stdout.write(`${o.device}: nothing in progress (${p(s?.state ?? 'no status')}); offer cleared\n`);
      if (r.outcome === 'probation')
        return void process.stdout.write(`${o.device}: ${what} is past its boot switch; its probation decides${typeof s?.endsIn === 'number' ? ` within ${Math.ceil(s.endsIn / 1000)} s` : ''}\n`);
      throw new CliError(`${o.device}: no confirmation within ${timeoutMs} ms (last status: ${p(s?.state ?? 'none')}); is it online?`, 1);
    });

  const status = ota
    .command('status')
    .description('show the retained OTA status of every device')
    .option('--wait <ms>', 'how long to collect retained statuses', '1000')
    .option('--json', 'print JSON lines');
  addConnectionOptions(status)
    .action(async (o: StatusCli) => {
      const { readStatuses } = await import('../../ota/publisher.ts');
      const wait = int(o.wait, '--wait');
      const conn = await resolveConnection(o);
      requirePrefix(o.prefix);
      let list;
      try {
        list = await readStatuses(conn.url, conn.prefix, wait, conn);
      } catch (err) {
        throw new CliError(`status: ${(err as Error).message}`);
      }
      // Every field of a status is the device's text: printed with its control characters escaped.
      const { printableJson, printableValue: p } = await import('../../text/sanitize.ts');
      if (o.json) return void process.stdout.write(list.map((s) => printableJson(s)).join('\n') + (list.length ? '\n' : ''));
      if (!list.length) return void process.stdout.write('no device has reported an OTA status\n');
      for (const s of list) {
        const what = s.kind ? `${p(s.kind)} v${p(s.version)}` : '';
        const prog = s.total ? ` ${p(s.done)}/${p(s.total)}` : '';
        process.stdout.write(`${p(s.id).padEnd(12)} ${p(s.state).padEnd(15)} ${what}${prog}${s.reason ? `  ${p(s.reason)}` : ''}\n`);
      }
    });
}
