#!/usr/bin/env node
// The one CLI. Host code is TypeScript, loaded through tsx so there is no separate compile step.
import { register } from 'tsx/esm/api';

register();
await import('../host/cli/main.ts');
