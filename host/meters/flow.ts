/**
 * The meter-gateway Node-RED flow's own sampling code (the function node of test/flows/meter-gateway.json), run
 * in this process without Node-RED: the host publisher and the synthetic training data produce exactly what
 * the flow publishes for the same parameters, and there is one definition of the simulated meters. The package
 * ships that JSON file too, so `sim --meters` and `train --features meter` run from an installed package.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.ts';

export const METER_FLOW_PATH = join(packageRoot(), 'test', 'flows', 'meter-gateway.json');

export interface Disturbance {
  kind: 'sag' | 'swell' | 'freq';
  /** Tick (within the cycle) where it starts, and how many ticks it lasts. */
  start: number;
  ticks: number;
  /** sag/swell: relative voltage change; freq: Hz away from 50. */
  depth: number;
  /** Only this meter (default every meter). */
  meter?: string;
}

export interface FlowParams {
  meters: string[];
  seed?: number;
  /** Default: the flow's (a sag, a swell and a frequency excursion every 60 ticks). */
  schedule?: Disturbance[];
  /** Ticks per schedule cycle; 0 = no repeat. Default 60. */
  cycle?: number;
  intervalMs?: number;
  /** ts = t0 + tick x interval; default the wall clock. */
  t0?: number;
  truth?: boolean;
  legacy?: boolean;
  prefix?: string;
  qos?: 0 | 1;
  /** Register of THD; null = the meter has none. Default 1011. */
  thdRegister?: number | null;
}

export interface FlowMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export type FlowTick = () => FlowMessage[];

interface FlowNode {
  type?: string;
  id?: string;
  func?: string;
}

let cachedFunc: string | null = null;

function flowFunction(): string {
  if (cachedFunc === null) {
    const nodes = JSON.parse(readFileSync(METER_FLOW_PATH, 'utf8')) as FlowNode[];
    const fn = nodes.find((n) => n.type === 'function' && typeof n.func === 'string');
    if (!fn) throw new Error(`${METER_FLOW_PATH}: no function node`);
    cachedFunc = fn.func!;
  }
  return cachedFunc;
}

/** A sampler: each call is one tick of the flow (every register of every meter, plus truth when asked). */
export function flowSampler(p: FlowParams): FlowTick {
  const env: Record<string, string> = {
    JW_METERS: p.meters.join(','),
    JW_METER_SEED: String(p.seed ?? 1),
    JW_METER_INTERVAL: String((p.intervalMs ?? 1000) / 1000),
    JW_METER_CYCLE: String(p.cycle ?? 60),
    JW_METER_TRUTH: p.truth ? '1' : '',
    JW_METER_LEGACY: p.legacy ? '1' : '',
    JW_TOPIC_PREFIX: p.prefix ?? 'esp',
    JW_METER_QOS: String(p.qos ?? 1),
  };
  if (p.schedule) env.JW_METER_SCHEDULE = JSON.stringify(p.schedule);
  if (p.t0 !== undefined) env.JW_METER_T0 = String(p.t0);
  if (p.thdRegister !== undefined) env.JW_METER_THD_REGISTER = p.thdRegister === null ? '' : String(p.thdRegister);
  const store = new Map<string, unknown>();
  const context = { get: (k: string) => store.get(k), set: (k: string, v: unknown) => void store.set(k, v) };
  const node = {
    status: () => {},
    error: (m: string) => {
      throw new Error(`meter flow: ${m}`);
    },
    warn: () => {},
  };
  const envApi = { get: (k: string) => env[k] };
  // The function node's body, as Node-RED runs it: (msg, env, context, node) in scope, returns [messages].
  const run = new Function('msg', 'env', 'context', 'node', flowFunction()) as (msg: object, e: typeof envApi, c: typeof context, n: typeof node) => [FlowMessage[]] | null;
  return () => {
    const out = run({}, envApi, context, node);
    return out ? out[0] : [];
  };
}
