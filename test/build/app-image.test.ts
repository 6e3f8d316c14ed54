import assert from 'node:assert/strict';
import { packAppImage, parseAppImageHeader, validateAppImage, engineConfigHash, APP_IMAGE_HEADER_BYTES } from '../../build/app-image.ts';

describe('app image (TypeScript side)', () => {
  const payload = Buffer.from('native.log("info","hi");');
  const want = { contractVersion: 1, engineConfigHash: engineConfigHash() };
  const img = packAppImage(payload, { contractVersion: 1, appVersion: 7, payloadKind: 'source' });

  it('round-trips header fields and payload', () => {
    const { header, payload: p } = validateAppImage(img, want);
    assert.equal(header.appVersion, 7);
    assert.equal(header.payloadKind, 'source');
    assert.equal(header.payloadSize, payload.length);
    assert.equal(header.engineVersion, 'jerryscript-3.0.0');
    assert.deepEqual(Buffer.from(p), payload);
  });

  it('refuses a corrupt payload, a corrupt header, a truncated image, another engine, another contract, an oversized image', () => {
    const flip = Buffer.from(img);
    flip[APP_IMAGE_HEADER_BYTES + 3]! ^= 1;
    assert.throws(() => validateAppImage(flip, want), /SHA-256 mismatch/);
    const hdr = Buffer.from(img);
    hdr[13]! ^= 1;
    assert.throws(() => parseAppImageHeader(hdr), /CRC/);
    assert.throws(() => validateAppImage(img.subarray(0, img.length - 1), want), /truncated payload/);
    assert.throws(() => validateAppImage(img.subarray(0, 50), want), /truncated header/);
    assert.throws(() => validateAppImage(img, { ...want, engineConfigHash: '00'.repeat(16) }), /engine configuration/);
    assert.throws(() => validateAppImage(img, { ...want, contractVersion: 2 }), /native contract 2|native contract 1/);
    assert.throws(() => validateAppImage(img, { ...want, maxBytes: 100 }), /larger than/);
  });
});
