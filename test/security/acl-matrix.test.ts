/**
 * The ACL matrix: every role x topic class x action (publish, publish retained, subscribe-and-receive), run on
 * the embedded aedes broker and on mosquitto configured by `broker-config`, against a table written here by
 * hand (not derived from host/security/acl.ts). The table is printed with what each broker did.
 */
import assert from 'node:assert/strict';
import { canPublish, canSubscribe, grantsOf } from '../../host/security/acl.ts';
import { FLEET, Prober, makeFleet, startAedesFor, startMosquittoFor, type BrokerUnderTest, type TestFleet } from './fleet-fixture.ts';
import { requireMosquitto } from '../helpers/mosquitto.ts';

const ACTORS = ['devA', 'op', 'view', 'coll', 'gw'] as const; // device, operator, viewer, collector, gateway
const ROLE_OF: Record<(typeof ACTORS)[number], string> = { devA: 'device', op: 'operator', view: 'viewer', coll: 'collector', gw: 'gateway' };

/**
 * Expected: per actor, three letters: P (may publish), R (may publish retained), S (receives when subscribed);
 * `-` refused; `x` not applicable (a filter is not a topic one can publish on).
 * devA is in group gA and watches m1; devB is in gB; gw publishes m1, gw2 m2.
 */
//  class                  topic                     subscribe filter    publisher  device operator viewer collector gateway
const TABLE: Array<[string, string, string | null, string, string, string, string, string, string]> = [
  ['status, own', 'esp/devA/status', null, 'devA', 'PR-', '--S', '--S', '--S', '---'],
  ['status, other', 'esp/devB/status', null, 'devB', '---', '--S', '--S', '--S', '---'],
  ['led/state, own', 'esp/devA/led/state', null, 'devA', 'PR-', '--S', '--S', '---', '---'],
  ['led/state, other', 'esp/devB/led/state', null, 'devB', '---', '--S', '--S', '---', '---'],
  ['health, own', 'esp/devA/health', null, 'devA', 'P--', '--S', '--S', '--S', '---'],
  ['health, other', 'esp/devB/health', null, 'devB', '---', '--S', '--S', '--S', '---'],
  ['error, own', 'esp/devA/error', null, 'devA', 'P--', '--S', '--S', '---', '---'],
  ['error, other', 'esp/devB/error', null, 'devB', '---', '--S', '--S', '---', '---'],
  ['anomaly, own', 'esp/devA/anomaly', null, 'devA', 'P--', '--S', '--S', '--S', '---'],
  ['anomaly, other', 'esp/devB/anomaly', null, 'devB', '---', '--S', '--S', '--S', '---'],
  ['ota/req, own', 'esp/devA/ota/req', null, 'devA', 'P--', '--S', '---', '---', '---'],
  ['ota/req, other', 'esp/devB/ota/req', null, 'devB', '---', '--S', '---', '---', '---'],
  ['ota/status, own', 'esp/devA/ota/status', null, 'devA', 'PR-', '--S', '--S', '---', '---'],
  ['ota/status, other', 'esp/devB/ota/status', null, 'devB', '---', '--S', '--S', '---', '---'],
  ['led/set, own', 'esp/devA/led/set', null, 'op', '--S', 'P-S', '---', '---', '---'],
  ['led/set, other', 'esp/devB/led/set', null, 'op', '---', 'P-S', '---', '---', '---'],
  ['led/set, fleet', 'esp/all/led/set', null, 'op', '--S', 'P-S', '---', '---', '---'],
  ['ota/offer, own', 'esp/devA/ota/offer', null, 'op', '--S', 'PRS', '---', '---', '---'],
  ['ota/offer, other', 'esp/devB/ota/offer', null, 'op', '---', 'PRS', '---', '---', '---'],
  ['ota/data, own', 'esp/devA/ota/data', null, 'op', '--S', 'P-S', '---', '---', '---'],
  ['ota/data, other', 'esp/devB/ota/data', null, 'op', '---', 'P-S', '---', '---', '---'],
  ['group offer, own', 'esp/group/gA/ota/offer', null, 'op', '--S', 'PRS', '---', '---', '---'],
  ['group offer, other', 'esp/group/gB/ota/offer', null, 'op', '---', 'PRS', '---', '---', '---'],
  ['meter, own/watched', 'esp/m1/modbus', null, 'gw', '--S', '--S', '--S', '--S', 'P--'],
  ['meter, other', 'esp/m2/modbus', null, 'gw2', '---', '--S', '--S', '--S', '---'],
  ['echo (host tools)', 'esp/jw-echo/t1', null, 'op', '---', 'P-S', 'P-S', 'P-S', '---'],
  ['filter esp/#', 'esp/devB/ota/data', 'esp/#', 'op', 'xx-', 'xxS', 'xx-', 'xx-', 'xx-'],
  ['filter esp/+/led/set', 'esp/devB/led/set', 'esp/+/led/set', 'op', 'xx-', 'xxS', 'xx-', 'xx-', 'xx-'],
  ['filter esp/+/modbus', 'esp/m2/modbus', 'esp/+/modbus', 'gw2', 'xx-', 'xxS', 'xxS', 'xxS', 'xx-'],
];

/**
 * mosquitto's ACL file has no retain permission: where publishing is allowed, so is retaining (docs/security.md).
 * The embedded broker enforces the retain column as written.
 */
function expectedOn(broker: 'aedes' | 'mosquitto', cell: string): string {
  if (broker === 'mosquitto' && cell[0] === 'P' && cell[1] === '-') return 'PR' + cell[2];
  return cell;
}

interface Outcome {
  cls: string;
  actor: string;
  action: 'publish' | 'retained' | 'subscribe';
  expected: boolean;
  actual: boolean;
}

function printTable(broker: string, rows: Outcome[]): void {
  const lines = [`ACL matrix on ${broker} (expected/actual; P publish, R retained, S subscribe+receive; ! = unexpected):`];
  lines.push(`${'topic class'.padEnd(22)} ${ACTORS.map((a) => `${ROLE_OF[a]}`.padEnd(11)).join(' ')}`);
  for (const [cls] of TABLE) {
    const cells = ACTORS.map((a) => {
      const r = ['publish', 'retained', 'subscribe'].map((act, i) => {
        const o = rows.find((x) => x.cls === cls && x.actor === a && x.action === act);
        if (!o) return 'x';
        const letter = 'PRS'[i]!;
        return (o.actual ? letter : '-') + (o.actual !== o.expected ? '!' : '');
      });
      return r.join('').padEnd(11);
    });
    lines.push(`${cls.padEnd(22)} ${cells.join(' ')}`);
  }
  const unexpectedAllows = rows.filter((r) => r.actual && !r.expected).length;
  const unexpectedDenies = rows.filter((r) => !r.actual && r.expected).length;
  lines.push(`${rows.length} checks; ${unexpectedAllows} unexpected allows, ${unexpectedDenies} unexpected denials`);
  console.log(lines.map((l) => '      ' + l).join('\n'));
}

async function runMatrix(b: BrokerUnderTest, fleet: TestFleet): Promise<Outcome[]> {
  const p = await Prober.start(b, fleet);
  const out: Outcome[] = [];
  try {
    for (const [cls, topic, filter, publisher, ...cells] of TABLE) {
      for (const [i, actor] of ACTORS.entries()) {
        const want = expectedOn(b.name, cells[i]!);
        if (want[0] !== 'x') {
          out.push({ cls, actor, action: 'publish', expected: want[0] === 'P', actual: await p.canPublish(actor, topic, false) });
          out.push({ cls, actor, action: 'retained', expected: want[1] === 'R', actual: await p.canPublish(actor, topic, true) });
        }
        out.push({ cls, actor, action: 'subscribe', expected: want[2] === 'S', actual: await p.canRead(actor, filter ?? topic, topic, publisher) });
      }
    }
  } finally {
    await p.stop();
  }
  return out;
}

describe('security: the ACL matrix (every role x topic class x action)', function () {
  this.timeout(120_000);
  let fleet: TestFleet;
  before(() => {
    fleet = makeFleet();
  });
  after(() => fleet?.cleanup());

  it('the model in host/security/acl.ts says what the table says (no broker)', () => {
    const wrong: string[] = [];
    for (const [cls, topic, filter, , ...cells] of TABLE) {
      for (const [i, actor] of ACTORS.entries()) {
        const g = grantsOf(FLEET.find((f) => f.name === actor)!, 'esp');
        const cell = cells[i]!;
        const got = (cell[0] === 'x' ? 'x' : canPublish(g, topic, false) ? 'P' : '-') + (cell[1] === 'x' ? 'x' : canPublish(g, topic, true) ? 'R' : '-') + (canSubscribe(g, filter ?? topic) ? 'S' : '-');
        if (got !== cell) wrong.push(`${cls} / ${ROLE_OF[actor]}: table ${cell}, model ${got}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  for (const which of ['aedes', 'mosquitto'] as const) {
    it(`on ${which}: 0 unexpected allows, 0 unexpected denials`, async function () {
      if (which === 'mosquitto') requireMosquitto(this);
      const b = which === 'aedes' ? await startAedesFor(fleet) : await startMosquittoFor(fleet);
      try {
        const rows = await runMatrix(b, fleet);
        printTable(which, rows);
        assert.equal(rows.length, TABLE.length * ACTORS.length * 3 - TABLE.filter((r) => r[4][0] === 'x').length * ACTORS.length * 2);
        assert.deepEqual(rows.filter((r) => r.actual && !r.expected).map((r) => `${r.cls} / ${ROLE_OF[r.actor as 'devA']} / ${r.action}`), [], 'unexpected allows');
        assert.deepEqual(rows.filter((r) => !r.actual && r.expected).map((r) => `${r.cls} / ${ROLE_OF[r.actor as 'devA']} / ${r.action}`), [], 'unexpected denials');
      } catch (err) {
        (err as Error).message += `\n${which} log:\n${b.logs().slice(-3000)}`;
        throw err;
      } finally {
        await b.stop();
      }
    });
  }
});
