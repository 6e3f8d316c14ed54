/**
 * The receiver's state machine (device/ota/machine.ts): the table docs/ota-protocol.md draws is the machine's own,
 * transition for transition, and the machine refuses an event a state does not take.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OtaMachine, TRANSITIONS, inProgress, type OtaState } from '../../device/ota/machine.ts';
import { packageRoot as repoRoot } from '../../host/paths.ts';

/** from|event|to triples of the documented table (between the transitions markers). */
function documented(): string[] {
  const doc = readFileSync(join(repoRoot(), 'docs', 'ota-protocol.md'), 'utf8');
  const a = doc.indexOf('<!-- transitions');
  const b = doc.indexOf('<!-- /transitions -->');
  assert.ok(a >= 0 && b > a, 'docs/ota-protocol.md has the transitions table');
  const out: string[] = [];
  for (const line of doc.slice(a, b).split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length !== 5 || cells[1] === 'from' || cells[1]!.startsWith('---')) continue;
    for (const from of cells[1]!.split(',').map((s) => s.trim())) out.push(`${from} --${cells[2]}--> ${cells[3]}`);
  }
  return out.sort();
}

describe('OTA state machine (device/ota/machine.ts)', () => {
  it('is exactly the table docs/ota-protocol.md draws', () => {
    const machine: string[] = [];
    for (const [from, events] of Object.entries(TRANSITIONS)) for (const [event, to] of Object.entries(events)) if (to) machine.push(`${from} --${event}--> ${to}`);
    assert.deepEqual(documented(), machine.sort());
  });

  it('walks an update from offer to acceptance, and refuses what a state does not take', () => {
    const m = new OtaMachine();
    for (const [e, s] of [['offer', 'offered'], ['erased', 'downloading'], ['complete', 'verifying'], ['switched', 'pending-verify'], ['pass', 'accepted']] as const) assert.equal(m.fire(e), s);
    assert.throws(() => m.fire('complete'), /accepted does not take complete/);
    assert.equal(m.state, 'accepted', 'a refused event changes nothing');
    assert.throws(() => new OtaMachine().fire('cancel'), /idle does not take cancel/, 'nothing to cancel at rest');
  });

  it('every state with an update in progress has an end that needs no publisher (expiry), and only those are in progress', () => {
    for (const s of Object.keys(TRANSITIONS) as OtaState[]) {
      const takes = (e: 'expire' | 'offer') => TRANSITIONS[s][e] !== undefined;
      if (inProgress(s)) assert.ok(takes('expire'), `${s} ends when its offer expires`);
      else assert.ok(takes('offer') && !takes('expire'), `${s} is at rest`);
    }
  });
});
