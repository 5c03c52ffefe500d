/**
 * Credential hashing. People choose weak passwords, so user passwords get scrypt (slow
 * on purpose). Device and service secrets are random and at least 16 characters; for
 * those a salted SHA-256 is as safe and lets 10,000 devices reconnect after a broker
 * restart without spending minutes of CPU on key stretching.
 */
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

export function hashUserPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function hashMachineSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = createHash('sha256').update(salt).update(secret).digest();
  return `sha256$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Verifies against either format; false for anything malformed. */
export function verifySecret(secret: string, stored: string): boolean {
  const parts = stored.split('$');
  let expected: Buffer;
  let actual: Buffer;
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
    expected = Buffer.from(hash, 'base64url');
    actual = scryptSync(secret, Buffer.from(salt, 'base64url'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    });
  } else if (parts[0] === 'sha256' && parts.length === 3) {
    expected = Buffer.from(parts[2]!, 'base64url');
    actual = createHash('sha256').update(Buffer.from(parts[1]!, 'base64url')).update(secret).digest();
  } else {
    return false;
  }
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A random secret for devices, services and QR tokens: 128 bits or more, URL-safe. */
export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}
