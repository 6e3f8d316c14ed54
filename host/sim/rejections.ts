/**
 * Unhandled Promise rejections are reported per process; each board claims the ones from its own sandbox
 * (a rejected promise's constructor is its realm's Promise). Unclaimed ones behave as Node's default: thrown.
 */
type Claim = { P: PromiseConstructor; onRejection: (reason: unknown) => void };

const claims = new Set<Claim>();
let installed = false;

function onUnhandled(reason: unknown, promise: Promise<unknown>): void {
  for (const c of claims) {
    if (promise instanceof c.P) {
      c.onRejection(reason);
      return;
    }
  }
  throw reason;
}

/** Returns a function that stops tracking. */
export function trackRejections(P: PromiseConstructor, onRejection: (reason: unknown) => void): () => void {
  if (!installed) {
    process.on('unhandledRejection', onUnhandled);
    installed = true;
  }
  const claim = { P, onRejection };
  claims.add(claim);
  return () => claims.delete(claim);
}
