import { createHash, createPublicKey, type Hash } from 'node:crypto';
// node:crypto can only verify ECDSA over a message it hashes itself; the contract (like mbedtls_pk_verify)
// takes the digest, so the curve math comes from @noble/curves.
import { p256 } from '@noble/curves/p256';
import type { Native } from '../../../bindings/native.js';
import { NATIVE_LIMITS } from '../../../bindings/contract.ts';
import { checkType, fail, type BoardContext } from './context.ts';

/** mbedTLS on the device; node:crypto here. Contexts are bounded like the device's few mbedTLS contexts. */
const MAX_CONTEXTS = NATIVE_LIMITS.sha256Contexts;

export function cryptoNative(ctx: BoardContext): Pick<Native, 'sha256Begin' | 'sha256Update' | 'sha256Finish' | 'ecdsaP256Verify'> {
  const hashes = new Map<number, Hash>();
  const bytes = (v: unknown, fn: string): Uint8Array => {
    checkType(v instanceof ctx.sandbox.ArrayBuffer || v instanceof ArrayBuffer, fn, 'expected an ArrayBuffer');
    return new Uint8Array(v as ArrayBuffer);
  };
  return {
    sha256Begin() {
      if (hashes.size >= MAX_CONTEXTS) fail('ELIMIT', 'sha256Begin', `more than ${MAX_CONTEXTS} open contexts`);
      // Ids are reused as on the device (1..MAX_CONTEXTS): a stale id may name a new digest.
      let id = 1;
      while (hashes.has(id)) id++;
      hashes.set(id, createHash('sha256'));
      return id;
    },
    sha256Update(id, data) {
      checkType(typeof id === 'number', 'sha256Update', 'ctx must be a number');
      const h = hashes.get(id);
      if (h === undefined) fail('EHANDLE', 'sha256Update', `unknown context ${id}`);
      h.update(typeof data === 'string' ? Buffer.from(data) : bytes(data, 'sha256Update'));
    },
    sha256Finish(id) {
      checkType(typeof id === 'number', 'sha256Finish', 'ctx must be a number');
      const h = hashes.get(id);
      if (h === undefined) fail('EHANDLE', 'sha256Finish', `unknown context ${id}`);
      hashes.delete(id);
      return ctx.sandbox.buffer(h.digest());
    },
    ecdsaP256Verify(publicKey, digest, signature) {
      const d = bytes(digest, 'ecdsaP256Verify');
      bytes(publicKey, 'ecdsaP256Verify');
      bytes(signature, 'ecdsaP256Verify');
      checkType(d.length === 32, 'ecdsaP256Verify', 'digest must be 32 bytes');
      try {
        const key = createPublicKey({ key: Buffer.from(bytes(publicKey, 'ecdsaP256Verify')), format: 'der', type: 'spki' });
        if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
        const jwk = key.export({ format: 'jwk' });
        const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
        // lowS: false, as mbedTLS accepts either half of s.
        return p256.verify(Buffer.from(bytes(signature, 'ecdsaP256Verify')), d, point, { lowS: false, prehash: false, format: 'der' });
      } catch {
        return false;
      }
    },
  };
}
