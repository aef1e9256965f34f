/**
 * A bounded in-memory cache of what was read from IMAP (parsed bodies, header
 * blocks, structures): least recently used out first once `maxBytes` is held,
 * and nothing older than `maxAgeMs` served. Keyed by our message row id, which
 * a renumbered folder (UIDVALIDITY change) replaces, so entries never go stale
 * in content; flags are never cached. A hit does not ask the server whether the
 * message is still there: a read that finds it gone evicts it (content.ts).
 */

interface Entry {
  value: unknown;
  bytes: number;
  storedAt: number;
}

export interface ContentCache {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown, bytes: number): void;
  delete(key: string): void;
  /** Bytes held now (tests and the benchmark). */
  readonly bytes: number;
  clear(): void;
}

export function createContentCache(options: { maxBytes: number; maxAgeMs: number; now?: () => number }): ContentCache {
  const now = options.now ?? Date.now;
  // A Map keeps insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, Entry>();
  let held = 0;
  const isOff = options.maxBytes <= 0 || options.maxAgeMs <= 0;

  const drop = (key: string, entry: Entry) => {
    entries.delete(key);
    held -= entry.bytes;
  };

  return {
    get<T>(key: string): T | undefined {
      const entry = entries.get(key);
      if (!entry) return undefined;
      drop(key, entry);
      if (now() - entry.storedAt > options.maxAgeMs) return undefined;
      entries.set(key, entry);
      held += entry.bytes;
      return entry.value as T;
    },
    set(key, value, bytes) {
      // One entry may take at most a quarter of the cache, so a large body cannot flush everything else.
      if (isOff || bytes > options.maxBytes / 4) return;
      const previous = entries.get(key);
      if (previous) drop(key, previous);
      entries.set(key, { value, bytes, storedAt: now() });
      held += bytes;
      for (const [oldest, entry] of entries) {
        if (held <= options.maxBytes) break;
        drop(oldest, entry);
      }
    },
    delete(key) {
      const entry = entries.get(key);
      if (entry) drop(key, entry);
    },
    get bytes() {
      return held;
    },
    clear() {
      entries.clear();
      held = 0;
    },
  };
}
