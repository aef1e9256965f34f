import type { MessageStructureObject } from 'imapflow';
import PostalMime from 'postal-mime';
import { getConfig } from '@/lib/env';
import { type ContentCache, createContentCache } from './cache';
import type { LocatedMessage } from './data';
import { createMailboxReader, type MailboxReader, MailboxUnavailableError, type PartDownload } from './imap';
import type { BodyPartJson, BodyType, ContentOptions, FlagName, FlagsJson } from './schema';

/**
 * Message content read on demand from the mail server: bodies and headers
 * (parsed with postal-mime, cached), the RFC 822 source and attachments
 * (streamed, never cached). Outcomes are values; only bugs throw.
 */

export interface ContentServices {
  reader: MailboxReader;
  cache: ContentCache;
  /** Bodies and header blocks above this are not answered in JSON. */
  maxInlineBytes: number;
  /** Parallel IMAP reads for one list request (include_body). */
  parallelReads: number;
}

const globalForContent = globalThis as unknown as {
  __mailportContent?: ContentServices & { close(): Promise<void> };
};

/** The process's pool and cache, made on first use from lib/env. */
export function contentServices(): ContentServices {
  if (!globalForContent.__mailportContent) {
    const { content, allowPrivateHosts } = getConfig();
    const reader = createMailboxReader({ size: content.poolSize, timeoutMs: content.imapTimeoutMs, allowPrivateHosts });
    globalForContent.__mailportContent = {
      reader,
      cache: createContentCache({ maxBytes: content.cacheBytes, maxAgeMs: content.cacheSeconds * 1000 }),
      maxInlineBytes: content.maxInlineBytes,
      parallelReads: content.poolSize,
      close: () => reader.close(),
    };
  }
  return globalForContent.__mailportContent;
}

/** Logs out pooled connections (tests, shutdown); the next use makes new services. */
export async function closeContentServices(): Promise<void> {
  const services = globalForContent.__mailportContent;
  globalForContent.__mailportContent = undefined;
  await services?.close();
}

export type ContentFailure =
  | { ok: false; reason: 'message_gone' }
  | { ok: false; reason: 'imap_unavailable'; message: string }
  | { ok: false; reason: 'content_too_large'; bytes: number; limit: number; instead: string };

const gone = { ok: false, reason: 'message_gone' } as const;

/** The message is no longer on the server: its cached content must not outlive that news. */
export function forget(services: ContentServices, message: LocatedMessage): typeof gone {
  services.cache.delete(bodyCacheKey(message));
  services.cache.delete(headerCacheKey(message));
  return gone;
}

/** Runs a read, turning an unreachable server into a value. */
async function live<T>(read: () => Promise<T>): Promise<T | ContentFailure> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof MailboxUnavailableError)
      return { ok: false, reason: 'imap_unavailable', message: error.message };
    throw error;
  }
}

interface TextPart {
  section: string;
  /** The section holding its MIME header: `<n>.mime`, or `header` for a single-part message. */
  mimeSection: string;
  type: BodyType;
  charset: string;
  encoding: string;
  size: number;
}

/** The readable text parts: text/plain and text/html that are not attachments, outside attached messages. */
export function textPartsOf(structure: MessageStructureObject): TextPart[] {
  const parts: TextPart[] = [];
  const visit = (node: MessageStructureObject, isRoot: boolean) => {
    const type = (node.type ?? 'text/plain').toLowerCase();
    if (node.childNodes?.length) {
      // An attached message's own body is the attachment's content, not this message's body.
      if (type === 'message/rfc822') return;
      for (const child of node.childNodes) visit(child, false);
      return;
    }
    if (type !== 'text/plain' && type !== 'text/html') return;
    const disposition = node.disposition?.toLowerCase() ?? '';
    const fileName = node.dispositionParameters?.filename ?? node.parameters?.name ?? '';
    if (disposition === 'attachment' || fileName) return;
    const section = isRoot ? 'text' : (node.part ?? '1');
    parts.push({
      section,
      mimeSection: isRoot ? 'header' : `${section}.mime`,
      type,
      charset: node.parameters?.charset ?? 'us-ascii',
      encoding: (node.encoding ?? '7bit').toLowerCase(),
      size: node.size ?? 0,
    });
  };
  visit(structure, true);
  return parts;
}

/** One part as postal-mime sees a message: its MIME header, a blank line, its raw content. */
async function decodeTextPart(mime: Buffer, content: Buffer, part: TextPart): Promise<string> {
  const separator = mime.subarray(-4).toString('latin1') === '\r\n\r\n' ? '' : '\r\n';
  const parsed = await PostalMime.parse(Buffer.concat([mime, Buffer.from(separator), content]));
  const text = (part.type === 'text/html' ? parsed.html : parsed.text) ?? '';
  // postal-mime ends line-based text with a line break; the sender's text may not have one.
  const isLineBased = part.encoding !== 'base64';
  return isLineBased && text.endsWith('\n') && content.at(-1) !== 0x0a ? text.slice(0, -1) : text;
}

const bodyCacheKey = (message: LocatedMessage) => `${message.id}:body`;
const headerCacheKey = (message: LocatedMessage) => `${message.id}:header`;

/** The message's body parts, all types (the caller filters): from the cache, else from the server. */
async function loadBody(
  services: ContentServices,
  message: LocatedMessage,
  resourcePath: string,
): Promise<BodyPartJson[] | ContentFailure> {
  const cached = services.cache.get<BodyPartJson[]>(bodyCacheKey(message));
  if (cached) return cached;
  const structure = await services.reader.structure(message.target, message.at);
  if (!structure) return forget(services, message);
  const parts = textPartsOf(structure);
  const bytes = parts.reduce((sum, part) => sum + part.size, 0);
  if (bytes > services.maxInlineBytes) {
    return { ok: false, reason: 'content_too_large', bytes, limit: services.maxInlineBytes, instead: resourcePath };
  }
  if (parts.length === 0) return [];
  const sections = await services.reader.sections(
    message.target,
    message.at,
    parts.flatMap((part) => [part.mimeSection, part.section]),
  );
  if (!sections) return forget(services, message);
  const body: BodyPartJson[] = [];
  for (const part of parts) {
    const content = await decodeTextPart(
      sections.get(part.mimeSection) ?? Buffer.alloc(0),
      sections.get(part.section) ?? Buffer.alloc(0),
      part,
    );
    body.push({
      type: part.type,
      charset: part.charset,
      content,
      body_section: part.section === 'text' ? '1' : part.section,
    });
  }
  // JavaScript strings hold two bytes a character.
  services.cache.set(
    bodyCacheKey(message),
    body,
    body.reduce((sum, part) => sum + part.content.length * 2 + 64, 0),
  );
  return body;
}

export async function readMessageBody(
  message: LocatedMessage,
  options: { type?: BodyType; sourcePath: string },
  services = contentServices(),
): Promise<{ ok: true; body: BodyPartJson[] } | ContentFailure> {
  const body = await live(() => loadBody(services, message, options.sourcePath));
  if (!Array.isArray(body)) return body;
  return { ok: true, body: options.type ? body.filter((part) => part.type === options.type) : body };
}

export interface MessageHeaders {
  raw: string;
  parsed: Record<string, string[]>;
}

async function loadHeaders(
  services: ContentServices,
  message: LocatedMessage,
  sourcePath: string,
): Promise<string | ContentFailure> {
  const cached = services.cache.get<string>(headerCacheKey(message));
  if (cached !== undefined) return cached;
  const sections = await services.reader.sections(message.target, message.at, ['header']);
  const block = sections?.get('header');
  if (!block) return forget(services, message);
  if (block.length > services.maxInlineBytes) {
    return {
      ok: false,
      reason: 'content_too_large',
      bytes: block.length,
      limit: services.maxInlineBytes,
      instead: sourcePath,
    };
  }
  // RFC 6532 allows UTF-8 in headers; anything else is 7-bit and reads the same.
  const raw = block.toString('utf8');
  services.cache.set(headerCacheKey(message), raw, raw.length * 2 + 64);
  return raw;
}

export async function parseHeaderBlock(raw: string): Promise<Record<string, string[]>> {
  const parsed = await PostalMime.parse(`${raw.replace(/(\r?\n)*$/, '')}\r\n\r\n`);
  const headers: Record<string, string[]> = {};
  for (const header of parsed.headers) headers[header.key] = [...(headers[header.key] ?? []), header.value];
  return headers;
}

export async function readMessageHeaders(
  message: LocatedMessage,
  options: { sourcePath: string },
  services = contentServices(),
): Promise<({ ok: true } & MessageHeaders) | ContentFailure> {
  const raw = await live(() => loadHeaders(services, message, options.sourcePath));
  if (typeof raw !== 'string') return raw;
  return { ok: true, raw, parsed: await parseHeaderBlock(raw) };
}

/** What `include_body` / `include_headers` add to message objects, by message id; gone messages get nothing. */
export async function readContentFor(
  messages: LocatedMessage[],
  options: ContentOptions,
  sourcePathOf: (id: string) => string,
  services = contentServices(),
): Promise<
  | { ok: true; byId: Map<string, { body?: BodyPartJson[]; headers?: Record<string, string[]> | string }> }
  | ContentFailure
> {
  const byId = new Map<string, { body?: BodyPartJson[]; headers?: Record<string, string[]> | string }>();
  if (!options.include_body && !options.include_headers) return { ok: true, byId };
  let failure: ContentFailure | null = null;
  const queue = [...messages];
  const worker = async () => {
    for (let message = queue.shift(); message && !failure; message = queue.shift()) {
      const entry: { body?: BodyPartJson[]; headers?: Record<string, string[]> | string } = {};
      if (options.include_body) {
        const body = await readMessageBody(
          message,
          { type: options.body_type, sourcePath: sourcePathOf(message.id) },
          services,
        );
        if (body.ok) entry.body = body.body;
        else if (body.reason !== 'message_gone') failure = body;
      }
      if (options.include_headers && !failure) {
        const headers = await readMessageHeaders(message, { sourcePath: sourcePathOf(message.id) }, services);
        if (headers.ok) entry.headers = options.include_headers === 'raw' ? headers.raw : headers.parsed;
        else if (headers.reason !== 'message_gone') failure = headers;
      }
      byId.set(message.id, entry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(services.parallelReads, messages.length) }, worker));
  // Assigned inside the workers, which TypeScript's narrowing does not follow.
  const failed = failure as ContentFailure | null;
  return failed ?? { ok: true, byId };
}

/** The RFC 822 source, streamed from the server as the client reads it. */
export async function openMessageSource(
  message: LocatedMessage,
  services = contentServices(),
): Promise<{ ok: true; download: PartDownload } | ContentFailure> {
  const download = await live(() => services.reader.source(message.target, message.at));
  if (download === null) return forget(services, message);
  if ('ok' in download) return download;
  return { ok: true, download };
}

/** One attachment's bytes (transfer encoding decoded), streamed. */
export async function openFileContent(
  file: { bodyPart: string; message: LocatedMessage },
  services = contentServices(),
): Promise<{ ok: true; download: PartDownload } | ContentFailure> {
  const download = await live(() => services.reader.part(file.message.target, file.message.at, file.bodyPart));
  if (download === null) return forget(services, file.message);
  if ('ok' in download) return download;
  return { ok: true, download };
}

const IMAP_FLAGS: Record<FlagName, string> = {
  seen: '\\Seen',
  answered: '\\Answered',
  flagged: '\\Flagged',
  deleted: '\\Deleted',
  draft: '\\Draft',
};

export function flagsJsonOf(flags: string[]): FlagsJson {
  const held = new Set(flags.map((flag) => flag.toLowerCase()));
  return {
    seen: held.has('\\seen'),
    answered: held.has('\\answered'),
    flagged: held.has('\\flagged'),
    deleted: held.has('\\deleted'),
    draft: held.has('\\draft'),
  };
}

export function imapFlagChange(input: Partial<Record<FlagName, boolean>>): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  for (const [name, imapFlag] of Object.entries(IMAP_FLAGS) as [FlagName, string][]) {
    if (input[name] === true) add.push(imapFlag);
    if (input[name] === false) remove.push(imapFlag);
  }
  return { add, remove };
}

/** The flags the server holds now (never cached: another client may have changed them). */
export async function readMessageFlags(
  message: LocatedMessage,
  services = contentServices(),
): Promise<{ ok: true; flags: string[] } | ContentFailure> {
  const flags = await live(() => services.reader.flags(message.target, message.at));
  if (flags === null) return forget(services, message);
  if (!Array.isArray(flags)) return flags;
  return { ok: true, flags };
}
