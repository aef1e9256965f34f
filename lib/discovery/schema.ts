import { z } from 'zod';
import { emailAddress, MAX_EMAIL_LENGTH } from '@/lib/validation/fields';

/**
 * A mailbox address as discovery accepts it (the shared email field: no IP
 * literal domains), its case kept. Shared by the API and `discoverImapSettings`.
 */
export const mailboxAddress = emailAddress({
  messages: {
    invalid: 'expected an email address such as jane@example.com',
    required: 'expected an email address',
    tooLong: `expected an email address of at most ${MAX_EMAIL_LENGTH} characters`,
  },
});

/** GET /2.0/discovery (spec §11). */
export const discoveryInput = z.object({
  source_type: z
    .preprocess(
      (value) => (value === '' || value === null ? undefined : typeof value === 'string' ? value.toUpperCase() : value),
      z.literal('IMAP', { error: 'expected IMAP' }).optional(),
    )
    .meta({ description: 'IMAP, the only type (any letter case).' }),
  email: mailboxAddress.meta({ description: 'The address whose IMAP settings to look up.', format: 'email' }),
});

export const discoveryJson = z
  .discriminatedUnion('found', [
    z.object({
      email: z.string(),
      found: z.literal(true),
      type: z.string().meta({ description: "A provider key such as gmail or outlook, or 'imap'." }),
      imap: z.object({
        server: z.string(),
        username: z.string(),
        port: z.number().int().min(1).max(65535),
        use_ssl: z.boolean().meta({ description: 'true: TLS from the first byte (port 993 usually).' }),
        oauth: z.boolean(),
      }),
      documentation: z.array(z.string()),
    }),
    z.object({ email: z.string(), found: z.literal(false) }),
  ])
  .meta({ id: 'Discovery' });
export type DiscoveryJson = z.output<typeof discoveryJson>;
