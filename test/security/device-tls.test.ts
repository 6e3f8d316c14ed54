/**
 * The device's own use of its credentials: a board provisioned by `jerrywatt provision` (device.json: CA,
 * certificate and key, or username and password) comes online over TLS on both brokers, on the simulated
 * board and on the native one (the real engine and the C runtime, libmosquitto).
 */
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { sendLedCommand } from '../../host/led/send.ts';
import { describeOnBoards, type BoardUnderTest } from '../helpers/boards.ts';
import { requireMosquitto } from '../helpers/mosquitto.ts';
import { clientOptions, makeFleet, startAedesFor, startMosquittoFor, type BrokerUnderTest, type TestFleet } from './fleet-fixture.ts';

describeOnBoards('security: a provisioned device connects over TLS with its credentials', (kind) => {
  let fleet: TestFleet;
  before(() => {
    fleet = makeFleet();
  });
  after(() => fleet?.cleanup());

  for (const which of ['aedes', 'mosquitto'] as const) {
    it(`on ${which}: devA (client certificate) and devB (password) come online; an operator's LED command reaches devA`, async function () {
      this.timeout(60_000);
      if (which === 'mosquitto') requireMosquitto(this);
      const b: BrokerUnderTest = which === 'aedes' ? await startAedesFor(fleet) : await startMosquittoFor(fleet);
      const boards: BoardUnderTest[] = [];
      const logs: string[] = [];
      const watcher = await mqtt.connectAsync(b.urlFor(fleet.creds.get('obs')!), clientOptions(fleet, fleet.creds.get('obs')!));
      try {
        const online = new Set<string>();
        watcher.on('message', (t, p) => p.toString().includes('"online":true') && online.add(t.split('/')[1]!));
        await watcher.subscribeAsync('esp/+/status', { qos: 1 });
        for (const id of ['devA', 'devB']) {
          const s = fleet.deviceSettings.get(id)!;
          const board = kind.make(id, b.urlFor(fleet.creds.get(id)!), { settings: { ...s, brokerUrl: b.urlFor(fleet.creds.get(id)!) } as never });
          boards.push(board);
          board.onLog((level, m) => logs.push(`[${id} ${level}] ${m}`));
          board.boot();
        }
        for (let round = 0; round < 100 && !(online.has('devA') && online.has('devB')); round++) {
          await Promise.all(boards.map((x) => x.pass(200)));
          await new Promise((r) => setTimeout(r, 20)); // let loopback I/O run (a poll interval, bounded by the rounds)
        }
        if (!(online.has('devA') && online.has('devB'))) throw new Error(`online: ${[...online].join(', ') || 'none'}\n${logs.slice(-20).join('\n')}\n${b.logs().slice(-2000)}`);
        const op = fleet.creds.get('op')!;
        let settled = false;
        const sent = sendLedCommand({ connection: { url: b.urlFor(op), ca: fleet.caPem, username: 'op', password: op.password }, prefix: 'esp', device: 'devA', state: 'on', timeoutMs: 15_000, from: 'op', seq: 1 }).finally(() => (settled = true));
        for (let round = 0; round < 150 && !settled; round++) {
          await Promise.all(boards.map((x) => x.pass(100)));
          await new Promise((r) => setTimeout(r, 20)); // a poll interval, bounded by the rounds
        }
        const r = await sent;
        assert.equal(r.timedOut, false, 'devA answered');
        assert.equal(r.answers[0]?.report?.state, 'on');
      } finally {
        await watcher.endAsync(true);
        for (const x of boards) await x.dispose();
        await b.stop();
      }
    });
  }
});
