/**
 * One broker and observer fixture for the suites that need a broker (meter, loop, Node-RED): an embedded aedes
 * broker on an ephemeral port, an observer client recording `esp/#`, optionally the embedded Node-RED runtime,
 * all started in `before()` and stopped in `after()` of the suite that calls it. `subscribed()` resolves when
 * the broker has registered a client's subscription (aedes' `subscribe` event), so a test never sleeps to let a
 * device's SUBSCRIBE land.
 */
import { startEmbeddedBroker, type EmbeddedBroker } from '../../host/broker/embedded.ts';
import { Observer } from '../spine/util.ts';
import { startNodeRed, stopNodeRed } from './nodered.ts';

export interface BrokerFixture {
  readonly broker: EmbeddedBroker;
  readonly url: string;
  readonly obs: Observer;
  /** Resolves once client `clientId` has subscribed to exactly `topic` (now or earlier in the suite). */
  subscribed(clientId: string, topic: string): Promise<void>;
  /** Whether it has (for polling with a manual clock). */
  hasSubscribed(clientId: string, topic: string): boolean;
}

export function useBroker(opts: { nodeRed?: boolean; observe?: string } = {}): BrokerFixture {
  let broker: EmbeddedBroker | undefined;
  let obs: Observer | undefined;
  const seen = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  const key = (clientId: string, topic: string) => `${clientId}\u0000${topic}`;

  before(async () => {
    broker = await startEmbeddedBroker();
    broker.aedes.on('subscribe', (subs, client) => {
      for (const s of subs) {
        const k = key(client?.id ?? '', s.topic);
        seen.add(k);
        for (const resolve of waiting.get(k) ?? []) resolve();
        waiting.delete(k);
      }
    });
    obs = await Observer.connect(broker.url, opts.observe ?? 'esp/#');
    if (opts.nodeRed) await startNodeRed();
  });
  after(async () => {
    if (opts.nodeRed) await stopNodeRed();
    await obs?.close();
    await broker?.close();
  });

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is available only inside the suite's tests (after its before hook)`);
    return v;
  };
  return {
    get broker() {
      return need(broker, 'the broker');
    },
    get url() {
      return need(broker, 'the broker').url;
    },
    get obs() {
      return need(obs, 'the observer');
    },
    hasSubscribed(clientId, topic) {
      return seen.has(key(clientId, topic));
    },
    subscribed(clientId, topic) {
      const k = key(clientId, topic);
      if (seen.has(k)) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.set(k, [...(waiting.get(k) ?? []), resolve]));
    },
  };
}
