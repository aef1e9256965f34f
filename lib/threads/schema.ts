import { z } from 'zod';
import { contentOptions } from '@/lib/message-content/schema';
import { messageJson } from '@/lib/messages/schema';
import { flag, pagination } from '@/lib/validation/fields';

/** Conversations, from the References / In-Reply-To threading the sync stores (spec §16). */

/** How a client may name a thread: our id (16 hex) or Gmail's, as `gm-<X-GM-THRID>`. */
export type ThreadRef = { kind: 'id'; threadId: string } | { kind: 'gmail_thread_id'; gmailThreadId: string };

export function parseThreadRef(raw: string): ThreadRef | null {
  const value = raw.trim();
  if (/^[0-9a-f]{16}$/.test(value)) return { kind: 'id', threadId: value };
  const gmail = /^gm-([0-9]{1,20})$/i.exec(value);
  return gmail?.[1] ? { kind: 'gmail_thread_id', gmailThreadId: gmail[1] } : null;
}

export const threadIdParam = z
  .string()
  .max(64)
  .refine((value) => parseThreadRef(value) !== null, 'expected a thread id')
  .meta({ description: 'The thread id (16 lowercase hex characters), or for Gmail `gm-<X-GM-THRID>`.' });

/**
 * A thread's messages with their content, as the official PHP client asks for it
 * (getMessageThread / getThread send include_body, include_headers, include_flags, body_type).
 */
export const threadInput = z.object({
  include_flags: flag.meta({ description: '1: include each message’s flags (as synced).' }),
  ...contentOptions,
});

export const listThreadsInput = z.object({ ...pagination(25, 100) });
export type ListThreadsInput = z.output<typeof listThreadsInput>;

export const threadJson = z
  .object({
    email_message_ids: z.array(z.string()),
    person_info: z.record(z.string(), z.object({ thumbnail: z.string() })),
    messages: z.array(messageJson).meta({ description: 'Oldest first' }),
  })
  .meta({ id: 'Thread' });
