/**
 * Loads a database driver on first use. Importing this file loads no driver library.
 *
 * Two ways, chosen at build time:
 *  - From source (tests, tsx): `require('./dialects/<name>')` (the TypeScript file, through
 *    the tsx require hook).
 *  - Bundled (dist/extension.js, dist/cli.js): esbuild replaces process.env.JIRA2FA_BUNDLED
 *    with "1", so the driver is required at run time from dist/drivers/<name>.js, a separate
 *    bundle that esbuild.config.mjs builds from src/core/db/dialects/<name>.ts. Both requires
 *    go through `createRequire`, which esbuild does not follow, so no driver library ends up
 *    in the main bundle; the path is resolved from dist/ (src/core/bundlePaths.ts).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { distDir } from '../bundlePaths';
import type { DbDriverName } from '../profiles/schema';
import type { NativeDriver, NativeDriverModule } from './types';

/** Where bundled drivers live: dist/drivers, found from any bundle. */
export function bundledDriverPath(name: DbDriverName, dir: string = path.join(distDir(), 'drivers')): string {
  return path.join(dir, `${name}.js`);
}

function requireDriver(name: DbDriverName): Promise<NativeDriverModule> {
  const req = createRequire(__filename);
  return new Promise((resolve) => {
    resolve((process.env.JIRA2FA_BUNDLED === '1' ? req(bundledDriverPath(name)) : req(`./dialects/${name}`)) as NativeDriverModule);
  });
}

/** Driver name → loader. Each loads one dialect module (and its library) when called. */
export const DRIVER_LOADERS: Record<DbDriverName, () => Promise<NativeDriverModule>> = {
  postgres: () => requireDriver('postgres'),
  mysql: () => requireDriver('mysql'),
  mssql: () => requireDriver('mssql'),
  oracle: () => requireDriver('oracle'),
  pglite: () => requireDriver('pglite'),
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
