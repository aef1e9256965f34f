import { z } from 'zod';
import { AuthenticationType, SourceStatus as sourceStatuses, TlsMode as tlsModes } from '@/lib/db/generated/enums';
import type { ImapLogin } from '@/lib/imap/verify';
import { sourceSyncStatusJson } from '@/lib/mailbox-sync/schema';
import { emailAddress, flag, optionalHttpUrl, optionalText, storableString } from '@/lib/validation/fields';

/**
 * Source statuses (spec §9): the database enum's values (prisma/schema.prisma),
 * so the column, the filter and the types cannot drift. generated/enums.ts is
 * plain constants, safe in an isomorphic schema module.
 */
export const SOURCE_STATUSES = Object.values(sourceStatuses);
export type SourceStatus = (typeof sourceStatuses)[keyof typeof sourceStatuses];
export const AUTHENTICATION_TYPES = Object.values(AuthenticationType);

export const sourceStatusFilter = z.preprocess(
  (value) => (value === '' ? undefined : typeof value === 'string' ? value.toUpperCase() : value),
  z.enum(sourceStatuses, { error: `expected one of ${SOURCE_STATUSES.join(', ')}` }).optional(),
);

/** `status` and `status_ok` trim lists of sources (and of accounts, by their sources). */
export const sourceFilters = {
  status: sourceStatusFilter.meta({ description: 'Only sources with this status.' }),
  status_ok: flag.meta({ description: '1: only sources whose status is OK; 0: only the others.' }),
};

export const listSourcesInput = z.object(sourceFilters);
export type ListSourcesInput = z.output<typeof listSourcesInput>;
export type SourceFilters = ListSourcesInput;

/** A source label as it appears in a path; `0` means the account's first source. */
export const sourceLabelParam = storableString()
  .min(1)
  .max(600)
  .meta({ description: 'The source label, e.g. jane::gmail; 0 means the first source.' });

/** POST /2.0/accounts/:id/sources/:label (spec §9). */
export const updateSourceInput = z.object({
  status: flag.meta({ description: '1: reset a disabled source to OK.' }),
  force_status_check: flag.meta({ description: '1: log in to the IMAP server now and update the status.' }),
  password: optionalText(1000).meta({ description: 'A new mailbox password (stored encrypted, never returned).' }),
  sync_all_folders: flag.meta({ description: '1: keep Trash, Drafts, Junk and similar folders in the sync.' }),
  expunge_on_deleted_flag: flag.meta({ description: '1: hide messages flagged \\Deleted.' }),
  status_callback_url: optionalHttpUrl.meta({
    description: "POSTed to when the source's status changes. A private or local host is refused (400).",
  }),
});
export type UpdateSourceInput = z.output<typeof updateSourceInput>;

/**
 * A source added server-side (POST /2.0/accounts, POST …/sources; spec §8, §9):
 * where the mailbox is and either a password or an OAuth2 refresh token of one
 * of the developer's oauth_providers. `email` is the caller's to add.
 */
export const serverSideSourceFields = {
  server: optionalText(253).meta({
    description: 'IMAP server; defaults to the provider’s with provider_consumer_key.',
  }),
  username: optionalText(320).meta({ description: 'IMAP username; defaults to the email address.' }),
  port: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.coerce
      .number({ error: 'expected a port between 1 and 65535' })
      .int('expected a port between 1 and 65535')
      .min(1, 'expected a port between 1 and 65535')
      .max(65535, 'expected a port between 1 and 65535')
      .optional(),
  ),
  use_ssl: flag.meta({ description: '1 (default): TLS from the start; 0: plain IMAP.' }),
  type: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim().toUpperCase() : undefined),
    z.literal('IMAP', { error: 'expected IMAP' }).optional(),
  ),
  password: optionalText(1000).meta({ description: 'The mailbox password (stored encrypted, never returned).' }),
  provider_refresh_token: optionalText(4000).meta({
    description: 'An OAuth2 refresh token issued to provider_consumer_key (stored encrypted, never returned).',
  }),
  provider_consumer_key: optionalText(300).meta({
    description: 'The oauth_providers client id that issued the token.',
  }),
  sync_all_folders: flag.meta({ description: '1: keep Trash, Drafts, Junk and similar folders in the sync.' }),
  sync_folders: optionalText(1000).meta({ description: 'Comma list of special folders to sync despite the filter.' }),
  sync_flags: flag.meta({ description: '1: sync the \\Seen and \\Flagged flags.' }),
  raw_file_list: flag.meta({ description: '1: list every attachment, signature images included.' }),
  expunge_on_deleted_flag: flag.meta({ description: '1: hide messages flagged \\Deleted.' }),
  callback_url: optionalHttpUrl.meta({ description: 'POSTed to when the initial sync completes (source callback).' }),
  status_callback_url: optionalHttpUrl.meta({ description: "POSTed to when the source's status changes." }),
};

type SourceCredentialFields = {
  password?: string | undefined;
  provider_refresh_token?: string | undefined;
  provider_consumer_key?: string | undefined;
  server?: string | undefined;
};

/** Either a password (with a server) or an OAuth2 refresh token with its provider key; never both. */
export function checkSourceCredentials(value: SourceCredentialFields, context: z.core.$RefinementCtx): void {
  const oauth = value.provider_refresh_token !== undefined || value.provider_consumer_key !== undefined;
  if (oauth && value.password !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['password'],
      message: 'expected a password or a provider_refresh_token, not both',
    });
  } else if (oauth) {
    if (!value.provider_refresh_token)
      context.addIssue({
        code: 'custom',
        path: ['provider_refresh_token'],
        message: 'expected the OAuth2 refresh token',
      });
    if (!value.provider_consumer_key)
      context.addIssue({
        code: 'custom',
        path: ['provider_consumer_key'],
        message: 'expected the oauth_providers client id',
      });
  } else if (value.password === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['password'],
      message: 'expected a password, or provider_refresh_token and provider_consumer_key',
    });
  } else if (value.server === undefined) {
    context.addIssue({ code: 'custom', path: ['server'], message: 'expected the IMAP server name' });
  }
}

export const createSourceInput = z
  .object({
    email: emailAddress({
      lowerCase: true,
      messages: { invalid: 'expected an email address such as jane@example.com' },
    }).meta({ description: 'The mailbox address.' }),
    ...serverSideSourceFields,
  })
  .superRefine(checkSourceCredentials);
export type CreateSourceInput = z.output<typeof createSourceInput>;
export type ServerSideSourceInput = Omit<CreateSourceInput, 'email'> & { email: string };

/** POST …/sources: created, or the login check failed (spec §3's body, status 200). */
export const sourceCreatedJson = z.object({ success: z.literal(true), label: z.string(), resource_url: z.string() });
export const sourceCheckFailedJson = z
  .object({ success: z.literal(false), feedback_code: z.string(), connectionLog: z.string() })
  .meta({ id: 'SourceCheckFailed' });

export const TLS_MODES = Object.values(tlsModes);
export type TlsMode = (typeof TLS_MODES)[number];

/** A mailbox proven by the connect flow: where it is and how to log in. */
export interface MailboxSettings {
  email: string;
  server: string;
  port: number;
  tlsMode: TlsMode;
  username: string;
  /** A known provider (gmail, outlook, …) names the label `localpart::provider`. */
  provider?: string;
  authenticationType: AuthenticationType;
  /** The password, or the OAuth2 refresh token; encrypted before it is stored. */
  secret: string;
  /** OAuth2 sources: the developer's provider that issued the grant and the current access token. */
  oauth?: MailboxOAuthGrant;
}

export interface MailboxOAuthGrant {
  /** The oauth_providers row whose client refreshes the grant. */
  providerId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
}

/**
 * The one shape of an IMAP login (lib/imap/verify.ts turns it into imapflow's
 * options): from the settings an end user typed (connect flow) or a stored
 * source (loginForSource in data.ts).
 */
export function mailboxLogin(
  settings: { server: string; port: number; tlsMode: TlsMode; username: string },
  credential: string | { accessToken: string },
): ImapLogin {
  const endpoint = {
    server: settings.server,
    port: settings.port,
    tlsMode: settings.tlsMode,
    username: settings.username,
  };
  return typeof credential === 'string'
    ? { ...endpoint, password: credential }
    : { ...endpoint, accessToken: credential.accessToken };
}

/** A source as the API returns it (spec §9); serialize.ts produces exactly this. */
export const sourceJson = z
  .object({
    label: z.string(),
    email: z.string(),
    server: z.string(),
    username: z.string(),
    port: z.number().int(),
    use_ssl: z.boolean(),
    type: z.literal('imap'),
    authentication_type: z.string().meta({ description: 'password or oauth2' }),
    status: z.string().meta({ description: SOURCE_STATUSES.join(', ') }),
    status_message: z.string(),
    callback_url: z.string(),
    status_callback_url: z.string(),
    sync_flags: z.boolean(),
    sync_all_folders: z.boolean(),
    expunge_on_deleted_flag: z.boolean(),
    raw_file_list: z.boolean(),
    sync_status: sourceSyncStatusJson,
    resource_url: z.string(),
  })
  .meta({ id: 'Source' });
