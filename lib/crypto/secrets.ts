import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { getConfig } from '@/lib/env';

/**
 * Secrets at rest (API secrets, mailbox passwords, OAuth tokens): AES-256-GCM
 * with the master key. Format `v1.<iv>.<tag>.<ciphertext>` in base64url, so a
 * later key rotation can add `v2` without guessing.
 */

const VERSION = 'v1';

export function encryptSecret(plaintext: string, key: Buffer = getConfig().masterKey): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

export function decryptSecret(sealed: string, key: Buffer = getConfig().masterKey): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
    throw new SecretDecryptionError('unknown secret format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Wrong master key or tampered data: GCM authentication failed.
    throw new SecretDecryptionError(
      'secret could not be decrypted: is MAILPORT_MASTER_KEY the key it was written with?',
    );
  }
}
