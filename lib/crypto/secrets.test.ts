import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secrets';

const key = randomBytes(32);

describe('secrets at rest', () => {
  it('round-trips, including non-ASCII, and never stores the plaintext', () => {
    const secret = 'pässwörd-日本-🔑';
    const sealed = encryptSecret(secret, key);
    expect(sealed).not.toContain(secret);
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(decryptSecret(sealed, key)).toBe(secret);
  });

  it('uses a fresh IV every time', () => {
    expect(encryptSecret('same', key)).not.toBe(encryptSecret('same', key));
  });

  it('refuses a wrong key and tampered data', () => {
    const sealed = encryptSecret('hunter2', key);
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow(SecretDecryptionError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => decryptSecret(parts.join('.'), key)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret('plaintext', key)).toThrow(SecretDecryptionError);
  });
});
