import assert from 'node:assert/strict';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { describeOnBoards, type BoardUnderTest } from '../helpers/boards.ts';
import { ensureBundle, eventually, Observer } from './util.ts';

describeOnBoards('a subscription the broker refuses reaches the app, which subscribes again', (kind) => {
  let broker: EmbeddedBroker;
  let obs: Observer;
  let tb: BoardUnderTest;
  let refusals = 0;
  let granted = false;

  before(async () => {
    await ensureBundle();
    broker = await startEmbeddedBroker();
    // The broker refuses the device's command topic twice (SUBACK 0x80), then grants it.
    broker.aedes.authorizeSubscribe = (client, sub, done) => {
      if (client?.id === 'rs1' && sub.topic === 'esp/rs1/led/set' && refusals < 2) {
        refusals++;
        return done(null, null);
      }
      if (client?.id === 'rs1' && sub.topic === 'esp/rs1/led/set') granted = true;
      done(null, sub);
    };
    obs = await Observer.connect(broker.url);
  });
  after(async () => {
    await tb?.dispose();
    await obs?.close();
    await broker?.close();
  });

  it('two refusals, then the command topic works', async () => {
    tb = kind.make('rs1', broker.url);
    tb.boot();
    await eventually(() => obs.last('esp/rs1/status')?.json?.online, 'online', { clocks: [tb.clock] });
    await eventually(() => refusals === 2 && granted, 'granted on the third try', {
      clocks: [tb.clock],
      stepMs: 200,
      rounds: 2000,
    });
    await obs.publish('esp/rs1/led/set', '{"state":"on","id":"after-refusals"}');
    await eventually(() => obs.on('esp/rs1/led/state').some((m) => m.json.id === 'after-refusals'), 'command', { clocks: [tb.clock] });
    await eventually(() => tb.gpioLevel(2) === 1, 'pin 2 high', { clocks: [tb.clock] }); // native: its own pipe
    assert.equal(refusals, 2);
  });
});
