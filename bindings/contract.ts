/** Runtime twin of the contract's version type (bindings/native.d.ts); the type checker keeps them equal. */
import type { NativeContractVersion } from './native.js';

export const CONTRACT_VERSION: NativeContractVersion = 1;
