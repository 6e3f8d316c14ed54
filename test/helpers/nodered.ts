/**
 * One embedded Node-RED runtime per test process (Node-RED cannot be started twice in a process), used as the
 * publisher simulator in tests. Flows live in test/flows/<name>.json and take the broker and other parameters
 * from environment variables: Node-RED replaces a node property that is exactly `${VAR}` with process.env.VAR
 * when the node starts, and function nodes read `env.get('VAR')`. That is the same mechanism a user relies on
 * when importing the flow into their own Node-RED, so the tests exercise the file as shipped.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The part of the node-red module we use (it ships no types). */
interface NodeRedModule {
  init(server: unknown, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  runtime: { flows: { setFlows(opts: { flows: { flows: object[] }; deploymentType?: string }): Promise<{ rev: string }> } };
  events: { once(ev: string, fn: (...a: unknown[]) => void): void; removeListener(ev: string, fn: (...a: unknown[]) => void): void };
}

const FLOWS_DIR = fileURLToPath(new URL('../flows/', import.meta.url));
const FLOWS_STARTED_TIMEOUT_MS = 10_000;

interface RuntimeState {
  red: NodeRedModule | null;
  starting: Promise<void> | null;
  userDir: string | null;
  shutDown: boolean;
}
// Kept on globalThis, not in module variables: mocha loads some test files with require() (through tsx) and
// others with import(), so this file can be instantiated twice in one process, while Node-RED is one per process.
const STATE_KEY = Symbol.for('jerrywatt.test.nodered');
const state: RuntimeState = ((globalThis as Record<symbol, RuntimeState | undefined>)[STATE_KEY] ??= {
  red: null,
  starting: null,
  userDir: null,
  shutDown: false,
});

/** Start the runtime once; later calls return the same promise. */
export function startNodeRed(): Promise<void> {
  if (state.shutDown) return Promise.reject(new Error('Node-RED was shut down in this process and cannot start again'));
  if (!state.starting) {
    state.starting = (async () => {
      const require = createRequire(import.meta.url);
      const r = require('node-red') as NodeRedModule;
      state.userDir = mkdtempSync(join(tmpdir(), 'jw-nodered-'));
      r.init(createServer(), {
        userDir: state.userDir,
        flowFile: 'flows.json',
        httpAdminRoot: false,
        httpNodeRoot: false,
        credentialSecret: false,
        // No npm installs from a test: function nodes use only built-ins.
        functionExternalModules: false,
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
        editorTheme: { projects: { enabled: false } },
        logging: { console: { level: 'warn', metrics: false, audit: false } },
      });
      await r.start();
      state.red = r;
      process.once('exit', () => {
        if (state.userDir) rmSync(state.userDir, { recursive: true, force: true });
      });
    })();
    state.starting.catch(() => {
      state.starting = null;
    });
  }
  return state.starting;
}

/** Replace all running flows (full deploy); resolves once the new flows have started. */
export async function setFlows(flows: object[]): Promise<void> {
  await startNodeRed();
  const r = state.red!;
  let onStarted!: () => void;
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED flows did not start within ${FLOWS_STARTED_TIMEOUT_MS} ms`)), FLOWS_STARTED_TIMEOUT_MS);
    onStarted = () => {
      clearTimeout(timer);
      resolve();
    };
    r.events.once('flows:started', onStarted);
  });
  try {
    await r.runtime.flows.setFlows({ flows: { flows }, deploymentType: 'full' });
  } catch (err) {
    r.events.removeListener('flows:started', onStarted);
    throw err;
  }
  await started;
}

/**
 * Stop every flow (their MQTT connections close) but keep the runtime, since it cannot start again in this
 * process. Safe to call when never started. Call it in `after()` of every suite that deploys flows.
 */
export async function stopNodeRed(): Promise<void> {
  if (!state.red) return;
  await setFlows([]);
}

/** Really stop the runtime; after this, startNodeRed() rejects for the rest of the process. */
export async function shutdownNodeRed(): Promise<void> {
  if (state.red) await state.red.stop();
  state.red = null;
  state.shutDown = true;
  if (state.userDir) rmSync(state.userDir, { recursive: true, force: true });
  state.userDir = null;
}

/**
 * Read test/flows/<name>.json and bind its parameters through process.env (Node-RED reads it when the flow
 * starts, see above). A flow's parameters are exactly `env`: every variable the flow mentions (`${VAR}` in a
 * property or `env.get('VAR')` in a function) that is not in `env` is deleted from process.env, so one test's
 * settings never leak into the next and the flow's documented defaults apply. Throws if a `${VAR}` property
 * (which has no default) is not given, so a misspelt variable fails loudly instead of reaching Node-RED.
 */
export function loadFlow(name: string, env: Record<string, string>): object[] {
  const text = readFileSync(join(FLOWS_DIR, `${name}.json`), 'utf8');
  const required = new Set([...text.matchAll(/"\$\{([A-Za-z0-9_]+)\}"/g)].map((m) => m[1]!));
  // Every JW_* name in the flow is one of its parameters, however it is read (env.get, a helper like num()).
  const mentioned = new Set([...required, ...[...text.matchAll(/\bJW_[A-Z0-9_]+\b/g)].map((m) => m[0])]);
  const missing = [...required].filter((k) => env[k] === undefined);
  if (missing.length > 0) throw new Error(`flow ${name}: environment variables not given: ${missing.join(', ')}`);
  for (const k of mentioned) if (!(k in env)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  const flows: unknown = JSON.parse(text);
  if (!Array.isArray(flows)) throw new Error(`flow ${name}: expected a JSON array of nodes`);
  return flows as object[];
}
