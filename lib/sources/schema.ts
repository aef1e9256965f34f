import { z } from 'zod';
import { AuthenticationType, SourceStatus as sourceStatuses, TlsMode as tlsModes } from '@/lib/db/generated/enums';
import type { ImapLogin } from '@/lib/imap/verify';
import { sourceSyncStatusJson } from '@/lib/mailbox-sync/schema';
import { flag, optionalHttpUrl, optionalText, storableString } from '@/lib/validation/fields';

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
