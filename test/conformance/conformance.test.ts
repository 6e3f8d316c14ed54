/**
 * One contract, proved by behaviour: the probe (probe.ts) calls every `native` function with valid, boundary and
 * invalid arguments on the simulated board and on the C bindings over the real engine (jw-sim), and the two
 * agree case by case. Known past disagreements are pinned to the agreed result, so both sides drifting the same
 * wrong way fails too.
 */
import assert from 'node:assert/strict';
import { declaredNativeMembers } from '../contract/declared.ts';
import type { EmbeddedBroker } from '../../host/broker/embedded.ts';
import { buildNativeSim } from '../../host/native/run.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';
import { prepareNative } from '../helpers/boards.ts';
import { bundleProbe, conformanceBroker, runOnNative, runOnV8, type Results } from './run.ts';

/** What the contract says, for the cases that used to differ between the two sides (issue 9). */
const PINNED: Record<string, string> = {
  'mqttSubscribe.unknown-client': 'throw:TypeError:EHANDLE',
  'mqttPublish.unknown-client': 'throw:TypeError:EHANDLE',
  'mqttReconnect.unknown-client': 'throw:TypeError:EHANDLE',
  'mqttSubscribe.after-end': 'throw:TypeError:EHANDLE',
  'mqttSubscribe.topic-255': 'number:-1',
  'mqttSubscribe.topic-256': 'throw:RangeError:ERANGE',
  'mqttPublish.topic-256': 'throw:RangeError:ERANGE',
  'online.subscribe-256': 'throw:RangeError:ERANGE',
  'online.subscribe-255': 'boolean:true',
  'mqttConnect.username-257': 'throw:RangeError:ERANGE',
  'mqttConnect.password-257': 'throw:RangeError:ERANGE',
  'mqttConnect.caPem-8193': 'throw:RangeError:ERANGE',
  'mqttConnect.certPem-8193': 'throw:RangeError:ERANGE',
  'mqttConnect.keyPem-8193': 'throw:RangeError:ERANGE',
  'mqttConnect.will-payload-4097': 'throw:RangeError:ERANGE',
  'mqttConnect.ok-at-limits': 'boolean:true',
  'mqttConnect.too-many': 'throw:RangeError:ELIMIT',
  'online.error': '{bytes=undefined:undefined,code=string:subscribe-refused,message=string:string,topic=string:conf/refused}',
  'gpioWrite.not-output': 'throw:TypeError:EARG',
  'kvSet.settings': 'boolean:false',
  'kvGet.settings-devId': 'string:conf1',
  'sha256.abc': 'ab:32:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  'timerStart.too-many': 'throw:RangeError:ELIMIT',
};

describe('native conformance: the simulated board and the C bindings on the engine agree', function () {
  this.timeout(60_000);
  let broker: EmbeddedBroker;
  let code: string;
  let v8: Results;

  before(async () => {
    code = await bundleProbe();
    broker = await conformanceBroker();
    v8 = await runOnV8(code, broker.url);
  });
  after(async () => broker?.close());

  it('the simulated board runs the whole table and touches every declared function', () => {
    assert.ok(v8.size >= 170, `only ${v8.size} results`);
    const touched = new Set((v8.get('(touched)') ?? '').split(','));
    // restart and otaRollback end a run; the boards' restart and OTA rollback suites exercise them.
    const missing = declaredNativeMembers().map((m) => m.name).filter((n) => !touched.has(n) && n !== 'restart' && n !== 'otaRollback');
    assert.deepEqual(missing, []);
  });

  it('the simulated board gives the contract\'s answers where the two sides used to differ', () => {
    for (const [id, want] of Object.entries(PINNED)) assert.equal(v8.get(id), want, id);
  });

  describe('on the C bindings (jw-sim, the real engine)', function () {
    let native: Results;
    before(async function () {
      this.timeout(15 * 60_000);
      await prepareNative(this);
      native = await runOnNative(code, broker.url, buildNativeSim({ root: repoRoot() }).binary);
    });

    it('every case gives the same result as on the simulated board', () => {
      const ids = [...new Set([...v8.keys(), ...native.keys()])].sort();
      const diffs = ids.filter((id) => v8.get(id) !== native.get(id)).map((id) => `${id}: sim ${v8.get(id)} | C ${native.get(id)}`);
      assert.deepEqual(diffs, []);
      assert.equal(native.size, v8.size);
    });

    it('and the contract\'s answers where they used to differ', () => {
      for (const [id, want] of Object.entries(PINNED)) assert.equal(native.get(id), want, id);
    });
  });
});
