import { z } from 'zod';
import { flag } from '@/lib/validation/fields';

/** Message content read live from IMAP (spec §16): inputs and Context.IO output shapes. */

export const BODY_TYPES = ['text/plain', 'text/html'] as const;
export type BodyType = (typeof BODY_TYPES)[number];

const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

export const bodyTypeField = z
  .preprocess(
    (value) => (typeof value === 'string' ? blankToUndefined(value.trim().toLowerCase()) : value),
    z.enum(BODY_TYPES, { error: 'expected text/plain or text/html' }).optional(),
  )
  .meta({ description: 'Only body parts of this type; both when not given.' });

/** `include_headers`: 0, 1 (parsed) or `raw` (the header block as text). */
export const includeHeadersField = z
  .preprocess((value) => {
    const given = blankToUndefined(value);
    if (given === 'raw') return 'raw';
    if (given === undefined) return undefined;
    if (given === true || given === 1 || given === '1' || given === 'true') return 'parsed';
    if (given === false || given === 0 || given === '0' || given === 'false') return undefined;
    return given;
  }, z.enum(['parsed', 'raw'], { error: 'expected 0, 1 or raw' }).optional())
  .meta({
    description: '1: include the headers as an object; raw: as the header block.',
    type: 'string',
    enum: ['0', '1', 'raw'],
  } as Record<string, unknown>);

/** The content options of `GET …/messages` and `GET …/messages/:message_id`. */
export const contentOptions = {
  include_body: flag.meta({ description: '1: include the body parts (read from the mail server).' }),
  body_type: bodyTypeField,
  include_headers: includeHeadersField,
};

export interface ContentOptions {
  include_body?: boolean;
  body_type?: BodyType;
  include_headers?: 'parsed' | 'raw';
}

export const bodyPartJson = z
  .object({
    type: z.enum(BODY_TYPES),
    charset: z.string().meta({ description: 'The charset the sender used; `content` is always Unicode' }),
    content: z.string().meta({ description: 'As the sender wrote it: HTML is not sanitised' }),
    body_section: z.string().meta({ description: 'The IMAP body part, e.g. 1 or 1.2' }),
  })
  .meta({ id: 'BodyPart' });
export type BodyPartJson = z.infer<typeof bodyPartJson>;

export const headersJson = z
  .record(z.string(), z.array(z.string()))
  .meta({ id: 'Headers', description: 'Lower-case header name → its values, in order, unfolded' });

export const bodyInput = z.object({
  type: bodyTypeField,
});

export const headersInput = z.object({
  raw: flag.meta({ description: '1: the header block as text (a JSON string).' }),
});

export const FLAG_NAMES = ['seen', 'answered', 'flagged', 'deleted', 'draft'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];

export const flagsJson = z
  .object({
    seen: z.boolean(),
    answered: z.boolean(),
    flagged: z.boolean(),
    deleted: z.boolean(),
    draft: z.boolean(),
  })
  .meta({ id: 'Flags' });
export type FlagsJson = z.infer<typeof flagsJson>;

export const setFlagsInput = z
  .object({
    seen: flag.meta({ description: '1 sets \\Seen, 0 clears it.' }),
    answered: flag.meta({ description: '1 sets \\Answered, 0 clears it.' }),
    flagged: flag.meta({ description: '1 sets \\Flagged, 0 clears it.' }),
    deleted: flag.meta({ description: '1 sets \\Deleted, 0 clears it (nothing is expunged).' }),
    draft: flag.meta({ description: '1 sets \\Draft, 0 clears it.' }),
  })
  .refine((input) => FLAG_NAMES.some((name) => input[name] !== undefined), {
    message: 'expected at least one of seen, answered, flagged, deleted, draft (0 or 1)',
  });
export type SetFlagsInput = z.output<typeof setFlagsInput>;

export const setFlagsJson = z.object({ success: z.literal(true), flags: flagsJson });

export const messageFolderJson = z.object({
  name: z.string(),
  symbolic_name: z.string().meta({ description: 'e.g. \\Inbox, \\Sent, \\Trash; "" for an ordinary folder' }),
});

/**
 * `as_link=1` asked Context.IO for a temporary download URL instead of the bytes (PHP getFileURL, Node
 * `files(id).content().get({ as_link: 1 })`). Mailport has no such links: a clear 400 rather than bytes
 * the client would take for a URL.
 */
export const fileContentInput = z.object({
  as_link: flag
    .refine((value) => value !== true, {
      message: 'as_link=1 (a temporary download link) is not supported; without it this URL answers the file itself',
    })
    .meta({ description: 'Only 0: temporary download links are not offered.', type: 'integer', enum: [0] } as Record<
      string,
      unknown
    >),
});
