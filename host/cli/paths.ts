/** The CLI's view of host/paths.ts (library code imports host/paths.ts itself). */
export { packageRoot as repoRoot, distPath } from '../paths.ts';
