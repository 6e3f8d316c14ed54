/** Debian's Chromium driven by playwright-core (browser downloads are impossible here), for the dashboard tests and bench. */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];

/** Where Chromium is, or null. JW_CHROMIUM overrides. */
export function chromiumPath(): string | null {
  for (const p of [process.env.JW_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) if (p && existsSync(p)) return p;
  return null;
}

/**
 * Skips the suite loudly when Chromium is missing (a laptop without it), and fails it under CI=true, where
 * `.ci/run` installs Debian's chromium.
 */
export function requireChromium(ctx: Mocha.Context): string {
  const p = chromiumPath();
  if (p) return p;
  const why = 'Chromium not found (apt-get install chromium, or set JW_CHROMIUM): dashboard browser tests skipped';
  if (process.env.CI === 'true') throw new Error(`${why} — but CI=true requires them`);
  process.stderr.write(`\n  SKIPPED: ${why}\n`);
  ctx.skip();
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}

/** Console errors and uncaught page errors, as they happen. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Layout invariants, not pixels: nothing overflows the viewport sideways, and every chart sits inside its card. */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) out.push(`page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px viewport`);
    for (const id of ['conn', 'devices', 'meters', 'events', 'errors']) {
      const el = document.getElementById(id);
      if (!el || el.getBoundingClientRect().width === 0) out.push(`#${id} is not visible`);
    }
    for (const card of Array.from(document.querySelectorAll<HTMLElement>('.meter'))) {
      const c = card.getBoundingClientRect();
      for (const canvas of Array.from(card.querySelectorAll('canvas'))) {
        const r = canvas.getBoundingClientRect();
        if (r.width < 100 || r.height < 50) out.push(`chart of ${card.dataset.meter} is ${r.width}x${r.height}`);
        if (r.right > c.right + 1 || r.left < c.left - 1) out.push(`chart of ${card.dataset.meter} overflows its card`);
      }
    }
    return out;
  });
}
