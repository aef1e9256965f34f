import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer tokens handed to a browser (session cookies, reset links): 32 random
 * bytes. Only their SHA-256 is stored, so a database leak signs no one in; a
 * fast hash is enough for values with 256 bits of entropy.
 */
export const newOpaqueToken = (): string => randomBytes(32).toString('base64url');

export const hashOpaqueToken = (token: string): string => createHash('sha256').update(token).digest('hex');
