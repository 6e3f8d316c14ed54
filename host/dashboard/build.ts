/**
 * Builds the dashboard page into dist/dashboard: the page's TypeScript (with the browser build of `mqtt` and the
 * device's own meter parser, bundled, not copied), its HTML and CSS, and uPlot's stylesheet. A packaged install
 * without the page sources serves the prebuilt files as they are.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DashboardBuild {
  dir: string;
  bytes: number;
}

export function pageSourceDir(root: string): string {
  return join(root, 'host', 'dashboard', 'page');
}

export function dashboardDistDir(root: string): string {
  return join(root, 'dist', 'dashboard');
}

export async function buildDashboard(root: string): Promise<DashboardBuild> {
  const src = pageSourceDir(root);
  const out = dashboardDistDir(root);
  mkdirSync(out, { recursive: true });
  const esbuild = await import('esbuild');
  const r = await esbuild.build({
    entryPoints: [join(src, 'main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: true,
    outfile: join(out, 'app.js'),
    logLevel: 'silent',
    metafile: true,
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(src, f), join(out, f));
  const require = createRequire(import.meta.url);
  copyFileSync(join(dirname(require.resolve('uplot')), 'uPlot.min.css'), join(out, 'uPlot.min.css'));
  const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { dir: out, bytes };
}

/** Builds when the page sources are here (a checkout); otherwise uses the prebuilt page (an installed package). */
export async function ensureDashboard(root: string): Promise<string> {
  if (existsSync(join(pageSourceDir(root), 'main.ts'))) return (await buildDashboard(root)).dir;
  const dir = dashboardDistDir(root);
  if (!existsSync(join(dir, 'app.js'))) throw new Error(`the dashboard page is missing: neither ${pageSourceDir(root)} nor ${dir}/app.js exists`);
  return dir;
}
