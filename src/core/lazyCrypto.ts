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

/**
 * SHA-256 of a UTF-8 text as hex. One call into node:crypto where Node offers crypto.hash()
 * (20.12 and later), else a Hash object; both give the same digest.
 */
export function sha256HexOf(text: string): string {
  const c = crypto() as Crypto & { hash?: (algorithm: string, data: string, encoding: 'hex') => string };
  return typeof c.hash === 'function' ? c.hash('sha256', text, 'hex') : c.createHash('sha256').update(text, 'utf8').digest('hex');
}
