/**
 * Loads a database driver on first use. Importing this file loads no driver library: each
 * dialect is an `import()`, which the build turns into a chunk of its own (docs/architecture.md).
 * The production build (the VSIX) replaces the PGlite dialect, which is for tests and the
 * sandbox only, by ./pgliteNotPackaged.ts.
 */
import type { DbDriverName } from '../profiles/schema';
import type { NativeDriver, NativeDriverModule } from './types';

/** Driver name → loader. Each loads one dialect module (and its library) when called. */
export const DRIVER_LOADERS: Record<DbDriverName, () => Promise<NativeDriverModule>> = {
  postgres: () => import('./dialects/postgres.js'),
  mysql: () => import('./dialects/mysql.js'),
  mssql: () => import('./dialects/mssql.js'),
  oracle: () => import('./dialects/oracle.js'),
  pglite: () => import('./dialects/pglite.js'),
};

const cache = new Map<DbDriverName, Promise<NativeDriver>>();

/** The driver for a profile's `database.driver`, loaded once. */
export function loadDriver(name: DbDriverName): Promise<NativeDriver> {
  let p = cache.get(name);
  if (!p) {
    const loader = DRIVER_LOADERS[name];
    if (!loader) return Promise.reject(new Error(`unknown database driver "${name}"`));
    p = loader().then((mod) => {
      const d = mod?.driver;
      if (!d || typeof d.connect !== 'function' || typeof d.classifyError !== 'function') {
        throw new Error(`the ${name} driver module does not export a driver`);
      }
      return d;
    });
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return p;
}
