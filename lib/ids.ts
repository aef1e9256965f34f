import { randomBytes, randomInt } from 'node:crypto';

/** Identifiers in Context.IO's shapes, all from a cryptographic random source. */

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const BASE62 = `${BASE36}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;

function randomString(alphabet: string, length: number): string {
  // randomInt rejects biased values, so every character is uniform.
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** 24 lowercase hex characters, like `5727aa2a0be9af5d658b4568`. */
export const newAccountId = (): string => randomBytes(12).toString('hex');
export const newDeveloperId = (): string => randomBytes(12).toString('hex');
/** 16 lowercase base-36 characters, like `wrmebvglgwxaidk1`. */
export const newConnectToken = (): string => randomString(BASE36, 16);
export const newRowId = (): string => randomBytes(16).toString('hex');
export const newConsumerKey = (): string => randomString(BASE36, 20);
export const newConsumerSecret = (): string => randomString(BASE62, 32);

export const isAccountId = (value: string): boolean => /^[0-9a-f]{24}$/.test(value);
/** The one connect-token format (see newConnectToken). */
export const CONNECT_TOKEN_PATTERN = /^[0-9a-z]{16}$/;
export const isConnectToken = (value: string): boolean => CONNECT_TOKEN_PATTERN.test(value);
