/**
 * The `native` contract, both ways: every function of `interface Native` (bindings/native.d.ts) has a row in the
 * one C registration table (bindings/registry.c) with a defined handler, and the table registers nothing else.
 * The check is run on mutated copies too, so it is known to fail when either side drifts.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { SETTINGS } from '../../device/settings/keys.ts';
import { compare, declaredFunctions, declaredProperties, definedHandlers, registeredFunctions } from './contract-parse.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const dts = read('bindings/native.d.ts');
const registry = read('bindings/registry.c');
const sources = readdirSync(join(ROOT, 'bindings')).filter((f) => f.endsWith('.c')).map((f) => read(`bindings/${f}`));

const clean = { missingInC: [], undeclaredInC: [], duplicates: [], undefinedHandlers: [] };

describe('native contract: TypeScript declaration vs C registration table', () => {
  it('parses a plausible number of functions on both sides', () => {
    const declared = declaredFunctions(dts);
    assert.ok(declared.length >= 30, `only ${declared.length} functions parsed from native.d.ts`);
    assert.ok(declared.includes('log') && declared.includes('onFault') && declared.includes('mqttPublish'));
    assert.ok(!declared.includes('contractVersion'), 'contractVersion is a property, not a function');
    assert.equal(registeredFunctions(registry).length, declared.length);
  });

  it('every declared function is registered, with a defined handler, and nothing else is', () => {
    assert.deepEqual(compare(declaredFunctions(dts), registeredFunctions(registry), definedHandlers(sources)), clean);
  });

  it('fails when the declaration gains a function the C side lacks', () => {
    const drifted = dts.replace(/(export interface Native \{)/, '$1\n  blinkTwice(pin: number): void;');
    assert.deepEqual(compare(declaredFunctions(drifted), registeredFunctions(registry), definedHandlers(sources)).missingInC, ['blinkTwice']);
  });

  it('fails when the C table registers an undeclared function, drops one, or names a missing handler', () => {
    const extra = registry.replace('{"log", jw_b_log},', '{"log", jw_b_log},\n    {"secret", jw_b_log},');
    assert.deepEqual(compare(declaredFunctions(dts), registeredFunctions(extra), definedHandlers(sources)).undeclaredInC, ['secret']);
    const dropped = registry.replace(/\s*\{"gpioRead", jw_b_gpio_read\},/, '');
    assert.deepEqual(compare(declaredFunctions(dts), registeredFunctions(dropped), definedHandlers(sources)).missingInC, ['gpioRead']);
    const renamed = registry.replace('jw_b_gpio_read}', 'jw_b_gpio_reed}');
    assert.deepEqual(compare(declaredFunctions(dts), registeredFunctions(renamed), definedHandlers(sources)).undefinedHandlers, ['jw_b_gpio_reed']);
  });

  it('the contract version and the readonly property agree', () => {
    assert.deepEqual(declaredProperties(dts).filter((p) => p === 'contractVersion'), ['contractVersion']);
    assert.match(read('bindings/jw_js.h'), new RegExp(`#define JW_CONTRACT_VERSION ${CONTRACT_VERSION}\\b`));
    assert.match(registry, /jw_set_num\(native, "contractVersion", JW_CONTRACT_VERSION\)/);
    for (const f of ['native/posix/main.c', 'native/esp/app_main.c']) assert.match(read(f), new RegExp(`#define CONTRACT_VERSION ${CONTRACT_VERSION}\\b`), f);
  });

  it('the settings keys the C code names are the ones in device/settings/keys.ts', () => {
    const boot = read('native/include/jw_app_boot.h');
    for (const [macro, name] of [['APP_SLOT', 'appSlot'], ['APP_PREV', 'appPrev'], ['APP_TRIAL', 'appTrial'], ['APP_ROLLED', 'appRolled']] as const) {
      assert.match(boot, new RegExp(`#define JW_KEY_${macro} "${SETTINGS[name].key}"`));
      assert.equal(SETTINGS[name].store, 'state');
    }
    assert.ok(read('bindings/b_sys.c').includes(`"${SETTINGS.deviceId.key}"`));
  });
});
