/**
 * `startMeterGateway`: publishes the meter-gateway flow's readings to a broker from this process (the flow's own
 * sampling code, see flow.ts), at `rate` ticks per second. For `jerrywatt sim --meters N` and tests; users who run
 * Node-RED import test/flows/meter-gateway.json instead (docs/anomaly.md).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { flowSampler, type Disturbance } from './flow.ts';
import { mqttAuthOptions } from '../mqtt/connect.ts';

export interface MeterGatewayOptions {
  brokerUrl: string;
  /** Meter ids, or a count n for meter1..meterN. */
  meters: string[] | number;
  /** Ticks (samples of every meter) per second. Default 1. */
  rate?: number;
  seed?: number;
  schedule?: Disturbance[];
  cycle?: number;
  /** Stop after this many ticks (0 = until stop()). */
  ticks?: number;
  /** Simulated time: ts = t0 + tick x (1000 / rate). Default the wall clock. */
  t0?: number;
  truth?: boolean;
  prefix?: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

export interface MeterGateway {
  readonly meters: string[];
  readonly client: MqttClient;
  /** Ticks published so far. */
  readonly ticks: number;
  /** Publishes one tick now (tests drive it by hand with rate 0). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function meterIds(meters: string[] | number): string[] {
  if (typeof meters !== 'number') return meters;
  if (!Number.isInteger(meters) || meters < 1 || meters > 1000) throw new Error(`meters must be 1..1000, got ${meters}`);
  return Array.from({ length: meters }, (_, i) => `meter${i + 1}`);
}

export async function startMeterGateway(o: MeterGatewayOptions): Promise<MeterGateway> {
  const meters = meterIds(o.meters);
  const rate = o.rate ?? 1;
  if (!(rate >= 0)) throw new Error(`rate must be >= 0 ticks per second, got ${rate}`);
  const sample = flowSampler({ meters, seed: o.seed, schedule: o.schedule, cycle: o.cycle, intervalMs: rate > 0 ? 1000 / rate : 1000, t0: o.t0, truth: o.truth, prefix: o.prefix });
  const client = await mqtt.connectAsync(o.brokerUrl, { clientId: `jw-meter-gateway-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 500, ...mqttAuthOptions(o) });
  let ticks = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = async (): Promise<void> => {
    if (o.ticks && ticks >= o.ticks) return;
    ticks++;
    await Promise.all(sample().map((m) => client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: false })));
  };
  if (rate > 0) {
    timer = setInterval(() => void tick().catch(() => {}), 1000 / rate);
  }
  return {
    meters,
    client,
    get ticks() {
      return ticks;
    },
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      await client.endAsync();
    },
  };
}
