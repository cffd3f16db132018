/**
 * What the production build (the VSIX) has instead of the PGlite dialect: PGlite is 15 MB of
 * WebAssembly for tests and the sandbox, which reach it through the postgres driver anyway.
 * esbuild.config.mjs puts this module where src/core/db/dialects/pglite.ts would be.
 */
import { AppError } from '../errors';
import type { NativeDriver } from './types';

export const driver: NativeDriver = {
  name: 'pglite',
  connect() {
    return Promise.reject(new AppError('input', 'The PGlite driver is not part of this package.', 'PGlite is for tests and the sandbox (a development build); use a PostgreSQL, MySQL, SQL Server or Oracle database.'));
  },
  classifyError: (error) => ({ category: 'other', message: error instanceof Error ? error.message : String(error) }),
};
