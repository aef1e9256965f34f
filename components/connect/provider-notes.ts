import type { Messages, Translator } from '@/lib/i18n/messages';
import en from '@/lib/i18n/messages/en.json';

/**
 * A provider's notes (app-password hints and the like) in the end user's
 * language: `providerNotes.<provider key>.<n>` in the catalogues. The API's
 * discovery keeps lib/discovery/providers.ts's English; messages.test.ts checks
 * that every provider with notes has them here.
 */
type NoteProvider = keyof Messages['providerNotes'];

export function providerNotes(t: Translator, providerKey: string): string[] {
  if (!Object.hasOwn(en.providerNotes, providerKey)) return [];
  const key = providerKey as NoteProvider;
  return Object.keys(en.providerNotes[key]).map((n) =>
    t(`providerNotes.${key}.${n}` as `providerNotes.${NoteProvider}.1`),
  );
}
