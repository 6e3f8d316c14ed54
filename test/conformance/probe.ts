/**
 * The conformance probe: a device app that calls every `native` function with valid, boundary and invalid
 * arguments (the table below) and logs one line per case, "conf <id> <result>". Bundled like the device app and
 * run unchanged on the simulated board and on the real engine through the C bindings (test/conformance/run.ts);
 * the two logs must agree case by case.
 *
 * A result is the shape of what came back ("ab:3:010203" for an ArrayBuffer, an object's keys and values) or
 * "throw:<name>:<code>" for what was thrown. `t:` cases compare the type only (clocks, ids, platform text).
 * Results are short: the C side cuts log lines at 512 bytes.
 */
import type { MqttError } from '../../bindings/native.js';

type Mode = 'v' | 't'; // value, or type only
type Case = [id: string, mode: Mode, call: () => unknown];

function hex(b: ArrayBuffer, max = 8): string {
  const u = new Uint8Array(b);
  let s = '';
  for (let i = 0; i < Math.min(u.length, max); i++) s += (u[i]! < 16 ? '0' : '') + u[i]!.toString(16);
  return s;
}

function shape(v: unknown, mode: Mode): string {
  if (v instanceof ArrayBuffer) return mode === 't' ? `ab:${v.byteLength}` : `ab:${v.byteLength}:${hex(v, 32)}`;
  if (v === null) return 'null';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${k}=${shape(o[k], mode)}`).join(',')}}`;
  }
  if (mode === 't') return typeof v;
  if (typeof v === 'number' && v !== v) return 'NaN';
  return `${typeof v}:${String(v)}`;
}

function run(id: string, mode: Mode, call: () => unknown): void {
  let r: string;
  try {
    r = shape(call(), mode);
  } catch (e) {
    const err = e as { name?: string; code?: string };
    r = `throw:${err && err.name}:${err && err.code}`;
  }
  native.log('info', `conf ${id} ${r}`);
}

const ab = (...bytes: number[]): ArrayBuffer => new Uint8Array(bytes).buffer as ArrayBuffer;
const str = (n: number, c = 'x'): string => {
  let s = '';
  while (s.length < n) s += c;
  return s;
};
const noop = () => {};
const handlers = { onConnect: noop, onMessage: noop, onClose: noop, onError: noop };
const opts = (extra: object = {}) => {
  const o: { [k: string]: unknown } = { url: 'mqtt://127.0.0.1:1', clientId: 'conf' };
  for (const k in extra) o[k] = (extra as { [k: string]: unknown })[k];
  return o as never;
};

let h = 0;
const sha: number[] = [];
/** `native`, recording which members the table touched (the harness checks every declared one is). */
const touched: { [k: string]: true } = {};
const N = new Proxy(native, {
  get(target, key) {
    touched[String(key)] = true;
    return (target as unknown as { [k: string]: unknown })[key as string];
  },
});

const CASES: Case[] = [
  ['contractVersion', 'v', () => N.contractVersion],
  // logging
  ['log.ok', 'v', () => N.log('info', 'conformance')],
  ['log.long', 'v', () => N.log('debug', str(10000))],
  ['log.level-unknown', 'v', () => N.log('loud' as never, 'x')],
  ['log.msg-number', 'v', () => N.log('info', 5 as never)],
  ['log.no-args', 'v', () => (N.log as () => void)()],
  // clock and timers
  ['millis', 't', () => N.millis()],
  ['millis.nonneg', 'v', () => N.millis() >= 0],
  ['wallClock', 't', () => N.wallClock()],
  ['timerStart.ok', 't', () => N.timerStart(100000, false, noop)],
  ['timerStart.id>0', 'v', () => N.timerStart(100000, true, noop) > 0],
  ['timerStart.ms-string', 'v', () => N.timerStart('5' as never, false, noop)],
  ['timerStart.ms-negative', 'v', () => N.timerStart(-1, false, noop)],
  ['timerStart.ms-NaN', 'v', () => N.timerStart(NaN, false, noop)],
  ['timerStart.ms-max', 't', () => N.timerStart(0x7fffffff, false, noop)],
  ['timerStart.ms-over', 'v', () => N.timerStart(0x80000000, false, noop)],
  ['timerStart.cb-missing', 'v', () => N.timerStart(5, false, 'cb' as never)],
  ['timerStop.unknown', 'v', () => N.timerStop(987654)],
  ['timerStop.string', 'v', () => N.timerStop('1' as never)],
  ['timerStart.too-many', 'v', () => {
    const ids: number[] = [];
    try {
      for (let i = 0; i < 100; i++) ids.push(N.timerStart(100000, false, noop));
      return 'no limit';
    } finally {
      for (const id of ids) N.timerStop(id);
    }
  }],
  // GPIO
  ['gpioMode.output', 'v', () => N.gpioMode(2, 'output')],
  ['gpioMode.input_pullup', 'v', () => N.gpioMode(13, 'input_pullup')],
  ['gpioMode.bad-mode', 'v', () => N.gpioMode(2, 'sideways' as never)],
  ['gpioMode.pin-40', 'v', () => N.gpioMode(40, 'output')],
  ['gpioMode.pin-negative', 'v', () => N.gpioMode(-1, 'output')],
  ['gpioMode.flash-pin-6', 'v', () => N.gpioMode(6, 'output')],
  ['gpioMode.flash-pin-11', 'v', () => N.gpioMode(11, 'output')],
  ['gpioMode.pin-fraction', 'v', () => N.gpioMode(2.5, 'output')],
  ['gpioMode.pin-string', 'v', () => N.gpioMode('2' as never, 'output')],
  ['gpioWrite.high', 'v', () => N.gpioWrite(2, 1)],
  ['gpioRead.high', 'v', () => N.gpioRead(2)],
  ['gpioWrite.low', 'v', () => N.gpioWrite(2, 0)],
  ['gpioRead.low', 'v', () => N.gpioRead(2)],
  ['gpioRead.pullup', 'v', () => N.gpioRead(13)],
  ['gpioWrite.not-output', 'v', () => N.gpioWrite(14, 1)],
  ['gpioWrite.level-string', 'v', () => N.gpioWrite(2, '1' as never)],
  ['gpioWrite.pin-40', 'v', () => N.gpioWrite(40, 1)],
  ['gpioRead.pin-40', 'v', () => N.gpioRead(40)],
  ['gpioRead.never-set', 'v', () => N.gpioRead(15)],
  // Wi-Fi
  ['wifiStatus', 't', () => N.wifiStatus()],
  ['wifiOn.ok', 'v', () => N.wifiOn(noop)],
  ['wifiOn.not-fn', 'v', () => N.wifiOn(5 as never)],
  ['wifiConnect.types', 'v', () => N.wifiConnect(1 as never, 2 as never)],
  ['wifiConnect.ssid-32', 'v', () => N.wifiConnect(str(32), 'pw')],
  ['wifiConnect.ssid-33', 'v', () => N.wifiConnect(str(33), 'pw')],
  ['wifiConnect.pass-64', 'v', () => N.wifiConnect('ssid', str(64))],
  ['wifiConnect.pass-65', 'v', () => N.wifiConnect('ssid', str(65))],
  // MQTT, before any connection
  ['mqttConnect.url-scheme', 'v', () => N.mqttConnect(opts({ url: 'ftp://127.0.0.1:1' }), handlers)],
  ['mqttConnect.url-number', 'v', () => N.mqttConnect(opts({ url: 5 }), handlers)],
  ['mqttConnect.url-256', 'v', () => N.mqttConnect(opts({ url: 'mqtt://' + str(249, 'h') }), handlers)],
  ['mqttConnect.clientId-empty', 'v', () => N.mqttConnect(opts({ clientId: '' }), handlers)],
  ['mqttConnect.clientId-128', 'v', () => N.mqttConnect(opts({ clientId: str(128) }), handlers)],
  ['mqttConnect.handlers-missing', 'v', () => N.mqttConnect(opts(), { onConnect: noop } as never)],
  ['mqttConnect.options-missing', 'v', () => N.mqttConnect(undefined as never, handlers)],
  ['mqttConnect.username-257', 'v', () => N.mqttConnect(opts({ username: str(257) }), handlers)],
  ['mqttConnect.password-257', 'v', () => N.mqttConnect(opts({ username: 'u', password: str(257) }), handlers)],
  ['mqttConnect.caPem-8193', 'v', () => N.mqttConnect(opts({ caPem: str(8193) }), handlers)],
  ['mqttConnect.certPem-8193', 'v', () => N.mqttConnect(opts({ certPem: str(8193), keyPem: 'k' }), handlers)],
  ['mqttConnect.keyPem-8193', 'v', () => N.mqttConnect(opts({ certPem: 'c', keyPem: str(8193) }), handlers)],
  ['mqttConnect.will-payload-4097', 'v', () => N.mqttConnect(opts({ will: { topic: 'w', payload: str(4097), qos: 0, retain: false } }), handlers)],
  ['mqttConnect.will-topic-256', 'v', () => N.mqttConnect(opts({ will: { topic: str(256), payload: 'x', qos: 0, retain: false } }), handlers)],
  ['mqttConnect.will-topic-missing', 'v', () => N.mqttConnect(opts({ will: { payload: 'x', qos: 0, retain: false } }), handlers)],
  ['mqttConnect.ok-at-limits', 'v', () => {
    const c = N.mqttConnect(opts({ clientId: str(127), username: str(256), password: str(256), will: { topic: str(255), payload: str(4096), qos: 1, retain: true } }), handlers);
    N.mqttEnd(c);
    return c > 0;
  }],
  ['mqttConnect.ok', 'v', () => (h = N.mqttConnect(opts(), handlers)) > 0],
  ['mqttSubscribe.offline', 'v', () => N.mqttSubscribe(h, 'a/b', 0)],
  ['mqttSubscribe.topic-255', 'v', () => N.mqttSubscribe(h, str(255), 0)],
  ['mqttSubscribe.topic-256', 'v', () => N.mqttSubscribe(h, str(256), 0)],
  ['mqttSubscribe.topic-empty', 'v', () => N.mqttSubscribe(h, '', 0)],
  ['mqttSubscribe.unknown-client', 'v', () => N.mqttSubscribe(987, 'a/b', 0)],
  ['mqttSubscribe.client-string', 'v', () => N.mqttSubscribe('1' as never, 'a/b', 0)],
  ['mqttUnsubscribe.offline', 'v', () => N.mqttUnsubscribe(h, 'a/b')],
  ['mqttUnsubscribe.unknown-client', 'v', () => N.mqttUnsubscribe(987, 'a/b')],
  ['mqttUnsubscribe.topic-256', 'v', () => N.mqttUnsubscribe(h, str(256))],
  ['mqttPublish.offline', 'v', () => N.mqttPublish(h, 'a/b', 'p', 0, false)],
  ['mqttPublish.unknown-client', 'v', () => N.mqttPublish(987, 'a/b', 'p', 0, false)],
  ['mqttPublish.topic-256', 'v', () => N.mqttPublish(h, str(256), 'p', 0, false)],
  ['mqttPublish.topic-empty', 'v', () => N.mqttPublish(h, '', 'p', 0, false)],
  ['mqttPublish.payload-number', 'v', () => N.mqttPublish(h, 'a/b', 5 as never, 0, false)],
  ['mqttReconnect.unknown-client', 'v', () => N.mqttReconnect(987)],
  ['mqttReconnect.string', 'v', () => N.mqttReconnect('x' as never)],
  ['mqttEnd.unknown-client', 'v', () => N.mqttEnd(987)],
  ['mqttConnect.too-many', 'v', () => {
    const hs: number[] = [];
    try {
      for (let i = 0; i < 10; i++) hs.push(N.mqttConnect(opts({ clientId: `c${i}` }), handlers));
      return 'no limit';
    } finally {
      for (const x of hs) N.mqttEnd(x);
    }
  }],
  ['mqttEnd.ok', 'v', () => N.mqttEnd(h)],
  ['mqttSubscribe.after-end', 'v', () => N.mqttSubscribe(h, 'a/b', 0)],
  // settings and state
  ['kvGet.absent', 'v', () => N.kvGet('state', 'confNone', 'str')],
  ['kvSet.str', 'v', () => N.kvSet('state', 'confS', 'hello')],
  ['kvGet.str', 'v', () => N.kvGet('state', 'confS', 'str')],
  ['kvGet.str-as-i32', 'v', () => N.kvGet('state', 'confS', 'i32')],
  ['kvSet.i32', 'v', () => N.kvSet('state', 'confI', -42)],
  ['kvGet.i32', 'v', () => N.kvGet('state', 'confI', 'i32')],
  ['kvSet.i32-max', 'v', () => N.kvSet('state', 'confI', 2147483647)],
  ['kvGet.i32-max', 'v', () => N.kvGet('state', 'confI', 'i32')],
  ['kvSet.blob', 'v', () => N.kvSet('state', 'confB', ab(1, 2, 3))],
  ['kvGet.blob', 'v', () => N.kvGet('state', 'confB', 'blob')],
  ['kvSet.retype', 'v', () => N.kvSet('state', 'confB', 'now a string')],
  ['kvGet.retyped-blob', 'v', () => N.kvGet('state', 'confB', 'blob')],
  ['kvGet.retyped-str', 'v', () => N.kvGet('state', 'confB', 'str')],
  ['kvSet.key-15', 'v', () => N.kvSet('state', str(15, 'k'), 'v')],
  ['kvSet.key-16', 'v', () => N.kvSet('state', str(16, 'k'), 'v')],
  ['kvSet.key-empty', 'v', () => N.kvSet('state', '', 'v')],
  ['kvGet.key-16', 'v', () => N.kvGet('state', str(16, 'k'), 'str')],
  ['kvSet.str-3999', 'v', () => N.kvSet('state', 'confL', str(3999))],
  ['kvSet.str-4000', 'v', () => N.kvSet('state', 'confL', str(4000))],
  ['kvSet.settings', 'v', () => N.kvSet('settings', 'devId', 'hijack')],
  ['kvGet.settings-devId', 'v', () => N.kvGet('settings', 'devId', 'str')],
  ['kvSet.value-object', 'v', () => N.kvSet('state', 'confO', {} as never)],
  ['kvSet.value-bool', 'v', () => N.kvSet('state', 'confO', true as never)],
  ['kvGet.bad-store', 'v', () => N.kvGet('flash' as never, 'k', 'str')],
  ['kvGet.bad-type', 'v', () => N.kvGet('state', 'k', 'f64' as never)],
  ['kvGet.key-number', 'v', () => N.kvGet('state', 5 as never, 'str')],
  ['kvErase.ok', 'v', () => N.kvErase('state', 'confS')],
  ['kvGet.erased', 'v', () => N.kvGet('state', 'confS', 'str')],
  ['kvErase.absent', 'v', () => N.kvErase('state', 'confNone')],
  ['kvErase.bad-store', 'v', () => N.kvErase('flash' as never, 'k')],
  // flash partitions
  ['partInfo.model_b', 'v', () => N.partInfo('model_b')],
  ['partInfo.absent', 'v', () => N.partInfo('nope')],
  ['partInfo.number', 'v', () => N.partInfo(5 as never)],
  ['partInfo.label-17', 'v', () => N.partInfo(str(17))],
  ['partErase.ok', 'v', () => N.partErase('model_b', 0, 4096)],
  ['partRead.erased', 'v', () => N.partRead('model_b', 0, 8)],
  ['partWrite.ok', 'v', () => N.partWrite('model_b', 0, ab(0x12, 0x34, 0xf0))],
  ['partRead.written', 'v', () => N.partRead('model_b', 0, 4)],
  ['partWrite.nor-and', 'v', () => N.partWrite('model_b', 0, ab(0xff, 0x30))],
  ['partRead.nor-and', 'v', () => N.partRead('model_b', 0, 4)],
  ['partRead.len-0', 'v', () => N.partRead('model_b', 0, 0)],
  ['partRead.last-byte', 'v', () => N.partRead('model_b', 0x30000 - 1, 1)],
  ['partRead.past-end', 'v', () => N.partRead('model_b', 0x30000 - 1, 2)],
  // (64 KB is the contract's limit, but a 96 KB engine heap cannot always hold it: keep the case small.)
  ['partRead.4k', 't', () => N.partRead('model_b', 0, 4096)],
  ['partRead.over-64k', 'v', () => N.partRead('model_b', 0, 65537)],
  ['partRead.negative', 'v', () => N.partRead('model_b', -1, 4)],
  ['partRead.absent', 'v', () => N.partRead('nope', 0, 4)],
  ['partRead.label-number', 'v', () => N.partRead(5 as never, 0, 4)],
  ['partErase.unaligned', 'v', () => N.partErase('model_b', 1, 4096)],
  ['partErase.past-end', 'v', () => N.partErase('model_b', 0x30000, 4096)],
  ['partWrite.past-end', 'v', () => N.partWrite('model_b', 0x30000 - 1, ab(1, 2))],
  ['partWrite.data-string', 'v', () => N.partWrite('model_b', 0, 'x' as never)],
  ['partMap.ok', 'v', () => N.partMap('model_b', 0, 4)],
  ['partMap.app-partition', 'v', () => N.partMap('ota_0', 0, 4)],
  ['partMap.past-end', 'v', () => N.partMap('model_b', 0x30000 - 2, 4)],
  ['partMap.absent', 'v', () => N.partMap('nope', 0, 4)],
  // firmware OTA slots
  ['otaNextSlot', 'v', () => N.otaNextSlot()],
  ['otaRunning', 'v', () => N.otaRunning()],
  ['otaValidate.erased', 't', () => N.otaValidate('ota_1', 4096)],
  ['otaValidate.running', 't', () => N.otaValidate('ota_0', 4096)],
  ['otaValidate.not-a-slot', 'v', () => N.otaValidate('model_b', 4096)],
  ['otaValidate.size-negative', 't', () => N.otaValidate('ota_1', -1)],
  ['otaValidate.size-string', 'v', () => N.otaValidate('ota_1', '1' as never)],
  ['otaSetBoot.erased', 't', () => N.otaSetBoot('ota_1')],
  ['otaSetBoot.number', 'v', () => N.otaSetBoot(1 as never)],
  ['otaMarkValid', 'v', () => N.otaMarkValid()],
  ['otaRunning.after', 'v', () => N.otaRunning()],
  // crypto
  ['sha256.abc', 'v', () => {
    const c = N.sha256Begin();
    N.sha256Update(c, 'a');
    N.sha256Update(c, ab(0x62, 0x63));
    return N.sha256Finish(c);
  }],
  ['sha256.empty', 'v', () => N.sha256Finish(N.sha256Begin())],
  ['sha256.utf8', 'v', () => {
    const c = N.sha256Begin();
    N.sha256Update(c, 'é€');
    return N.sha256Finish(c);
  }],
  ['sha256Finish.twice', 'v', () => {
    const c = N.sha256Begin();
    N.sha256Finish(c);
    return N.sha256Finish(c);
  }],
  ['sha256Update.unknown', 'v', () => N.sha256Update(987, 'x')],
  ['sha256Update.data-number', 'v', () => {
    const c = N.sha256Begin();
    try {
      return N.sha256Update(c, 5 as never);
    } finally {
      N.sha256Finish(c);
    }
  }],
  ['sha256Begin.too-many', 'v', () => {
    try {
      for (let i = 0; i < 10; i++) sha.push(N.sha256Begin());
      return 'no limit';
    } finally {
      for (const c of sha.splice(0)) N.sha256Finish(c);
    }
  }],
  ['ecdsa.garbage-key', 'v', () => N.ecdsaP256Verify(ab(1, 2, 3), new ArrayBuffer(32), ab(0x30, 0))],
  ['ecdsa.digest-31', 'v', () => N.ecdsaP256Verify(ab(1, 2, 3), new ArrayBuffer(31), ab(0x30, 0))],
  ['ecdsa.strings', 'v', () => N.ecdsaP256Verify('k' as never, 'd' as never, 's' as never)],
  // system
  ['deviceId', 'v', () => N.deviceId()],
  ['info', 't', () => N.info()],
  ['info.contractVersion', 'v', () => N.info().contractVersion],
  ['info.appSlot', 'v', () => N.info().appSlot],
  ['resetReason', 'v', () => N.resetReason()],
  ['heapStats', 't', () => N.heapStats()],
  ['onFault.not-fn', 'v', () => N.onFault('x' as never)],
  ['onFault.ok', 'v', () => N.onFault(noop)],
];

for (const [id, mode, call] of CASES) run(id, mode, call);
// restart and otaRollback end the run (the harness covers them with the boards' restart tests).
native.log('info', `conf-touched ${Object.keys(touched).sort().join(',')}`);

// With a broker (the harness provisions brokerUrl): what only a connection shows.
const url = native.kvGet('settings', 'brokerUrl', 'str') as string;
let c = 0;
const seen: string[] = [];
c = native.mqttConnect({ url, clientId: `conf-${native.deviceId()}` }, {
  onConnect() {
    run('online.subscribe', 'v', () => native.mqttSubscribe(c, 'conf/ok', 1) >= 0);
    run('online.subscribe-255', 'v', () => native.mqttSubscribe(c, `conf/${str(250)}`, 0) >= 0);
    run('online.subscribe-256', 'v', () => native.mqttSubscribe(c, `conf/${str(251)}`, 0));
    run('online.publish', 'v', () => native.mqttPublish(c, 'conf/ok', 'hello', 1, false) >= 0);
    run('online.publish-ab', 'v', () => native.mqttPublish(c, 'conf/ok', ab(1, 2), 0, false) >= 0);
    run('online.publish-topic-256', 'v', () => native.mqttPublish(c, `conf/${str(251)}`, 'x', 0, false));
    // The harness's broker refuses this one (SUBACK 0x80): onError says so with a code.
    run('online.subscribe-refused', 'v', () => native.mqttSubscribe(c, 'conf/refused', 0) >= 0);
    run('online.unsubscribe', 'v', () => native.mqttUnsubscribe(c, 'conf/ok') >= 0);
  },
  onMessage(topic, payload) {
    seen.push(`${topic}:${payload.byteLength}`);
    if (seen.length === 2) native.log('info', `conf online.messages string:${seen.sort().join(',')}`);
    finish();
  },
  onClose: noop,
  onError(e: MqttError) {
    refused++;
    native.log('info', `conf online.error ${shape({ code: e.code, topic: e.topic, bytes: e.bytes, message: typeof e.message }, 'v')}`);
    finish();
  },
});
let refused = 0;
let finished = false;
/** Done once both messages came back and the refusal was reported (the order between them is the broker's). */
function finish(): void {
  if (finished || seen.length < 2 || refused < 1) return;
  finished = true;
  native.log('info', 'conf-done');
}
