/**
 * node:crypto, loaded on first use. Its first require costs several milliseconds in a fresh
 * Node process (bench/activation.cjs), and activation needs neither random bytes nor hashes:
 * only writing an audit entry, a backup or a report, or opening a panel does.
 */
import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');

let loaded: Crypto | undefined;

function crypto(): Crypto {
  // createRequire: a plain require call here would be hoisted to the top of the bundle.
  loaded ??= createRequire(__filename)('node:crypto') as Crypto;
  return loaded;
}

export function randomBytes(size: number): Buffer {
  return crypto().randomBytes(size);
}

export function createHash(algorithm: string): ReturnType<Crypto['createHash']> {
  return crypto().createHash(algorithm);
}
