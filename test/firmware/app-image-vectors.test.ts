/**
 * One set of app-image vectors, packed by build/app-image.ts, checked by both validators: the TypeScript one and
 * the firmware's C one (native/core/app_image.c, through dist/native/test/jw-image-check). They must agree on
 * every vector, with the same reason, and each broken image must be refused.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineConfigHash, packAppImage, validateAppImage, APP_IMAGE_HEADER_BYTES } from '../../build/app-image.ts';
import { CONTRACT_VERSION } from '../../bindings/contract.ts';
import { crc32 } from '../../device/lib/crc32.ts';
import { make, requireCTools } from './c-toolchain.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'dist/native/test');
const SLOT = 0x30000;

function seeded(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Re-seals the header CRC after an edit, so that only the edited field is wrong. */
function reseal(img: Buffer): Buffer {
  img.writeUInt32LE(crc32(img.subarray(0, 96)), 96);
  return img;
}

interface Vector {
  name: string;
  image: Buffer;
  maxBytes: number;
  /** undefined: must be accepted; else a fragment of the reason. */
  refused?: string;
}

function vectors(): Vector[] {
  const payload = Buffer.from('native.log("info","hi");'.repeat(40));
  const good = () => packAppImage(payload, { contractVersion: CONTRACT_VERSION, appVersion: 7, payloadKind: 'source' });
  const snap = packAppImage(seeded(5000, 3), { contractVersion: CONTRACT_VERSION, appVersion: 8, payloadKind: 'snapshot' });
  const corrupt = good();
  corrupt[APP_IMAGE_HEADER_BYTES + 10] ^= 0x01;
  const headerFlip = good();
  headerFlip[14] ^= 0x40; // app version bit, CRC not resealed
  const kind = reseal((() => { const b = good(); b[16] = 7; return b; })());
  const format = reseal((() => { const b = good(); b.writeUInt16LE(2, 4); return b; })());
  const magic = (() => { const b = good(); b.write('XXXX', 0, 'ascii'); return b; })();
  return [
    { name: 'good source image', image: good(), maxBytes: SLOT },
    { name: 'good snapshot image', image: snap, maxBytes: SLOT },
    { name: 'empty payload', image: packAppImage(Buffer.alloc(0), { contractVersion: CONTRACT_VERSION, appVersion: 0, payloadKind: 'source' }), maxBytes: SLOT },
    { name: 'corrupt payload byte', image: corrupt, maxBytes: SLOT, refused: 'payload SHA-256 mismatch' },
    { name: 'header bit flipped', image: headerFlip, maxBytes: SLOT, refused: 'header CRC mismatch' },
    { name: 'truncated payload', image: good().subarray(0, 500), maxBytes: SLOT, refused: 'truncated payload' },
    { name: 'truncated header', image: good().subarray(0, 100), maxBytes: SLOT, refused: 'truncated header' },
    { name: 'wrong engine configuration', image: packAppImage(payload, { contractVersion: CONTRACT_VERSION, appVersion: 7, payloadKind: 'source', engineConfigHash: 'ab'.repeat(16) }), maxBytes: SLOT, refused: 'engine configuration' },
    { name: 'wrong contract version', image: packAppImage(payload, { contractVersion: CONTRACT_VERSION + 1, appVersion: 7, payloadKind: 'source' }), maxBytes: SLOT, refused: 'native contract' },
    { name: 'oversized for the slot', image: packAppImage(seeded(SLOT, 5), { contractVersion: CONTRACT_VERSION, appVersion: 1, payloadKind: 'snapshot' }), maxBytes: SLOT, refused: 'larger than the' },
    { name: 'unknown payload kind', image: kind, maxBytes: SLOT, refused: 'unknown payload kind' },
    { name: 'future format version', image: format, maxBytes: SLOT, refused: 'unsupported format version' },
    { name: 'bad magic', image: magic, maxBytes: SLOT, refused: 'bad magic' },
  ];
}

function tsVerdict(v: Vector): string {
  try {
    const { header } = validateAppImage(v.image, { contractVersion: CONTRACT_VERSION, engineConfigHash: engineConfigHash(), maxBytes: v.maxBytes });
    return `ok kind=${header.payloadKind === 'snapshot' ? 1 : 0} app=${header.appVersion} size=${header.payloadSize}`;
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

describe('app image vectors: TypeScript packs, TypeScript and C validate alike', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'jw-img-'));

  before(function () {
    requireCTools(this);
    make([join(OUT, 'jw-image-check'), `OUT=${OUT}`], join(ROOT, 'native'));
  });

  for (const v of vectors()) {
    it(`${v.name}: ${v.refused ? 'refused' : 'accepted'} by both, for the same reason`, () => {
      const file = join(dir, v.name.replace(/\W+/g, '-') + '.img');
      writeFileSync(file, v.image);
      const c = spawnSync(join(OUT, 'jw-image-check'), [file, String(CONTRACT_VERSION), engineConfigHash(), String(v.maxBytes)], { encoding: 'utf8' });
      const cVerdict = c.stdout.trim();
      const ts = tsVerdict(v);
      assert.equal(cVerdict, ts, 'C and TypeScript disagree');
      if (v.refused) {
        assert.match(ts, /^refused: /);
        assert.ok(ts.includes(v.refused), `reason "${ts}" should mention "${v.refused}"`);
        assert.equal(c.status, 1);
      } else {
        assert.match(ts, /^ok /);
        assert.equal(c.status, 0);
      }
    });
  }
});
