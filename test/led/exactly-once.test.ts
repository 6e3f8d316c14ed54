/**
 * LED commands exactly once and in order (issue 11): the sender table (device/led/senders.ts) on its own, then on the
 * simulated board through the seeded fault proxy (duplicates, reorders, a retained command across reboots) against
 * aedes and mosquitto with persistence, and the sender's sequence kept by `jerrywatt led` (host/led/sender.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SenderTable, MAX_SENDERS, WRITE_BURST, WRITE_REFILL_MS, type SlotStore } from '../../device/led/senders.ts';
import { nextSequence } from '../../host/led/sender.ts';
import { startEmbeddedBroker } from '../../host/broker/embedded.ts';
import { startFaultProxy, type FaultProxy } from '../../host/ota/testing/fault-proxy.ts';
import { requireMosquitto, startMosquitto } from '../helpers/mosquitto.ts';
import { ensureBundle, eventually, makeBoard, Observer, type TestBoard } from '../spine/util.ts';

/** An NVS stand-in that counts writes. */
function memStore(): SlotStore & { map: Map<number, string>; writes: number } {
  const map = new Map<number, string>();
  const s = {
    map,
    writes: 0,
    get: (slot: number) => map.get(slot) ?? '',
    set: (slot: number, v: string) => {
      s.writes++;
      map.set(slot, v);
      return true;
    },
  };
  return s;
}

describe('LED sender table (device/led/senders.ts)', () => {
  it('applies a sequence once, drops one at or below the last of its sender, and remembers across a restart', () => {
    const store = memStore();
    let now = 0;
    const t = new SenderTable(store, () => now);
    assert.equal(t.admit('alice', 5), 'apply');
    assert.equal(t.admit('alice', 5), 'old', 'a duplicate');
    assert.equal(t.admit('alice', 4), 'old', 'overtaken in transit');
    assert.equal(t.admit('bob', 1), 'apply', 'senders are independent');
    assert.equal(t.admit('alice', 6), 'apply');
    const again = new SenderTable(store, () => now);
    assert.equal(again.admit('alice', 6), 'old', 'after a restart, from NVS');
    assert.equal(again.last('bob'), 1);
    assert.equal(store.writes, 3, 'one write per applied command, none for a dropped one');
  });

  it(`keeps at most ${MAX_SENDERS} senders: a new one takes the slot of the least recently applied`, () => {
    const store = memStore();
    let now = 0;
    const t = new SenderTable(store, () => now);
    for (let i = 0; i < MAX_SENDERS; i++) {
      now += WRITE_REFILL_MS; // stay inside the write budget
      assert.equal(t.admit(`s${i}`, 10), 'apply');
    }
    now += WRITE_REFILL_MS;
    assert.equal(t.admit('s0', 11), 'apply', 's0 is now the most recent');
    now += WRITE_REFILL_MS;
    assert.equal(t.admit('new', 1), 'apply');
    assert.equal(store.map.size, MAX_SENDERS, 'no more slots than that');
    assert.equal(t.last('s1'), 0, 's1, the least recently applied, was forgotten');
    assert.equal(t.last('s0'), 11);
    const again = new SenderTable(store, () => now);
    assert.equal(again.last('new'), 1);
    assert.equal(again.last('s1'), 0);
  });

  it(`bounds flash writes: ${WRITE_BURST} at once, then one per ${WRITE_REFILL_MS} ms; over it a command is refused, not applied`, () => {
    const store = memStore();
    let now = 1000;
    const t = new SenderTable(store, () => now);
    const verdicts = Array.from({ length: 100 }, (_, i) => t.admit('flood', i + 1));
    assert.equal(verdicts.filter((v) => v === 'apply').length, WRITE_BURST);
    assert.equal(verdicts[WRITE_BURST], 'budget');
    now += WRITE_REFILL_MS * 2;
    assert.deepEqual([t.admit('flood', 200), t.admit('flood', 201), t.admit('flood', 202)], ['apply', 'apply', 'budget']);
    // An hour of flooding at 100 commands a second: the writes follow the budget, not the flood.
    for (let s = 0; s < 3600; s++) {
      now += 1000;
      for (let k = 0; k < 100; k++) t.admit('flood', 1000 + s * 100 + k);
    }
    assert.ok(store.writes <= WRITE_BURST + 2 + 3600 / (WRITE_REFILL_MS / 1000) + 1, `${store.writes} writes in an hour`);
  });

  it('a damaged slot reads as free', () => {
    const store = memStore();
    store.map.set(3, 'garbage');
    store.map.set(4, '7 x bob');
    const t = new SenderTable(store, () => 0);
    assert.equal(t.last('bob'), 0);
    assert.equal(t.admit('bob', 1), 'apply');
  });
});

describe('jerrywatt led: the sender and its sequence (host/led/sender.ts)', () => {
  it('keeps an id and the last sequence per sender in a file; the username is the sender when given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jw-led-sender-'));
    try {
      const file = join(dir, '.jerrywatt', 'led-sender.json');
      const a = nextSequence(file, undefined, 100);
      const b = nextSequence(file, undefined, 100);
      assert.match(a.from, /^cli-[0-9a-f]{8}$/);
      assert.equal(b.from, a.from, 'the id is kept');
      assert.equal(b.seq, a.seq + 1, 'the sequence moves on even when the clock does not');
      const u = nextSequence(file, 'alice', 50);
      assert.equal(u.from, 'alice');
      assert.equal(nextSequence(file, 'alice', 5000).seq, 5000, 'never below the clock (a lost file or another machine)');
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).seq.alice, 5000);
      writeFileSync(file, '{broken');
      const c = nextSequence(file, undefined, 7000);
      assert.ok(c.seq >= 7000, 'a damaged file starts again, still moving forward');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const kind of ['aedes', 'mosquitto'] as const) {
  describe(`LED commands exactly once and in order on the simulated board (${kind}, fault proxy)`, function () {
    this.timeout(30_000);
    let url = '';
    let port = 0;
    let close: () => Promise<void> = async () => {};
    let proxy: FaultProxy;
    let obs: Observer;
    const boards: TestBoard[] = [];

    beforeEach(async function () {
      await ensureBundle();
      if (kind === 'mosquitto') {
        requireMosquitto(this);
        const m = await startMosquitto({ persistence: true });
        ({ url, port } = m);
        close = () => m.stop();
      } else {
        const b = await startEmbeddedBroker();
        ({ url, port } = b);
        close = () => b.close();
      }
      proxy = await startFaultProxy(port, { seed: 5, match: (t) => t.endsWith('/led/set') });
      obs = await Observer.connect(url);
    });
    afterEach(async () => {
      for (const b of boards.splice(0)) b.dispose();
      await obs?.close();
      await proxy?.close();
      await close();
    });

    async function online(id: string): Promise<TestBoard> {
      const tb = makeBoard(id, proxy.url);
      boards.push(tb);
      tb.board.boot();
      await eventually(() => obs.last(`esp/${id}/status`)?.json?.online === true && obs.last(`esp/${id}/led/state`), `${id} online`, { clocks: [tb.clock] });
      return tb;
    }
    const cmd = (state: string, from: string, seq: number, id = `${from}-${seq}`) => JSON.stringify({ state, id, from, seq });
    const reported = (dev: string, id: string) => obs.on(`esp/${dev}/led/state`).filter((m) => m.json?.id === id);

    it('a toggle duplicated in transit is applied once', async () => {
      const { board, clock } = await online('l1');
      const levels: number[] = [];
      board.on('gpio', (pin, level) => pin === 2 && levels.push(level));
      proxy.plan.dup = 1; // every command arrives twice
      await obs.publish('esp/l1/led/set', cmd('toggle', 'alice', 1));
      await obs.publish('esp/l1/led/set', cmd('on', 'bob', 1, 'marker'));
      await eventually(() => reported('l1', 'marker').length, 'marker', { clocks: [clock] });
      assert.ok(proxy.stats.duplicated >= 2);
      assert.equal(reported('l1', 'alice-1').length, 1, 'the toggle was applied once');
      // Applied twice, the toggle would have switched the LED on and off again before the marker's "on".
      assert.deepEqual(levels, [1, 1], 'toggle (on), then the marker (on); never off in between');
    });

    it('two commands reordered in transit: the older one is dropped, the newer stays applied', async () => {
      const { board, clock } = await online('l2');
      proxy.plan.reorder = 1; // the first is held back and goes out after the second
      await obs.publish('esp/l2/led/set', cmd('off', 'alice', 1));
      await obs.publish('esp/l2/led/set', cmd('on', 'alice', 2));
      proxy.plan.reorder = 0;
      await obs.publish('esp/l2/led/set', cmd('toggle', 'bob', 1, 'marker'));
      await eventually(() => reported('l2', 'marker').length, 'marker', { clocks: [clock] });
      assert.ok(proxy.stats.reordered >= 1);
      assert.equal(reported('l2', 'alice-1').length, 0, 'the older command, arriving last, was dropped');
      assert.equal(reported('l2', 'alice-2').length, 1);
      assert.equal(board.gpioLevel(2), 0, 'on (seq 2), then the marker toggle: off; the late "off" (seq 1) changed nothing');
    });

    it('a retained command is applied once, not again at every boot; a retained toggle without a sequence is refused', async () => {
      const tb = await online('l3');
      const { board, clock } = tb;
      await obs.client.publishAsync('esp/l3/led/set', cmd('toggle', 'alice', 1), { qos: 1, retain: true });
      await eventually(() => reported('l3', 'alice-1').length, 'applied', { clocks: [clock] });
      assert.equal(board.gpioLevel(2), 1);
      for (let boot = 0; boot < 2; boot++) {
        board.powerCut();
        const before = obs.on('esp/l3/status').length;
        board.boot();
        await eventually(() => obs.on('esp/l3/status').slice(before).some((m) => m.json?.online === true), 'back online', { clocks: [clock] });
        await obs.publish('esp/l3/led/set', cmd('on', 'bob', 10 + boot, `marker${boot}`));
        await eventually(() => reported('l3', `marker${boot}`).length, 'marker', { clocks: [clock] });
      }
      assert.equal(reported('l3', 'alice-1').length, 1, 'the retained toggle was applied once over three boots');
      // A retained toggle without from/seq would flip at every boot: refused with an error.
      await obs.client.publishAsync('esp/l3/led/set', 'toggle', { qos: 1, retain: true });
      board.powerCut();
      board.boot();
      const err = await eventually(() => obs.on('esp/l3/error').find((m) => /retained command without from\/seq ignored/.test(m.json?.error)), 'refusal', { clocks: [clock] });
      assert.equal(err.json.topic, 'esp/l3/led/set');
      await obs.client.publishAsync('esp/l3/led/set', '', { qos: 1, retain: true });
    });
  });
}
