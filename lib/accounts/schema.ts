import { z } from 'zod';
import { checkSourceCredentials, serverSideSourceFields, sourceFilters, sourceJson } from '@/lib/sources/schema';
import { emailAddress, optionalText, pagination, storableString } from '@/lib/validation/fields';

export const accountIdParam = z
  .string()
  .regex(/^[0-9a-f]{24}$/, 'expected a 24-character account id')
  .meta({ description: 'The account id, 24 lowercase hex characters.' });

/** GET /2.0/accounts (spec §8). */
export const listAccountsInput = z.object({
  email: optionalText(254).meta({ description: 'Only accounts with this email address.' }),
  ...sourceFilters,
  ...pagination(100, 100),
});
export type ListAccountsInput = z.output<typeof listAccountsInput>;

/** The dashboard's account search (an exact address, as GET /2.0/accounts takes it). */
export const dashboardAccountFilters = z.object({
  email: storableString({ message: 'Remove the control characters (such as tabs) from the search.' })
    .trim()
    .transform((value) => value.slice(0, 254) || undefined)
    .optional(),
});

/** POST /2.0/accounts/:id. */
export const updateAccountInput = z.object({
  first_name: optionalText(100).meta({ description: "The account holder's first name." }),
  last_name: optionalText(100).meta({ description: "The account holder's last name." }),
});
export type UpdateAccountInput = z.output<typeof updateAccountInput>;

/**
 * POST /2.0/accounts (spec §8): an account without the hosted flow, and its
 * first source when any source parameter is given (the login is checked first).
 */
export const createAccountInput = z
  .object({
    email: emailAddress({
      lowerCase: true,
      messages: { invalid: 'expected an email address such as jane@example.com' },
    }).meta({ description: "The account holder's address (also the first source's)." }),
    first_name: optionalText(100).meta({ description: "The account holder's first name." }),
    last_name: optionalText(100).meta({ description: "The account holder's last name." }),
    ...serverSideSourceFields,
  })
  .superRefine((value, context) => {
    if (hasSourceFields(value)) checkSourceCredentials(value, context);
  });

/** Whether POST /2.0/accounts was given a first source (any credential or server). */
export function hasSourceFields(value: {
  password?: string | undefined;
  provider_refresh_token?: string | undefined;
  provider_consumer_key?: string | undefined;
  server?: string | undefined;
}): boolean {
  return [value.password, value.provider_refresh_token, value.provider_consumer_key, value.server].some(
    (field) => field !== undefined,
  );
}

export const accountCreatedJson = z.object({
  success: z.literal(true),
  id: z.string(),
  resource_url: z.string(),
  source: z.object({ label: z.string(), resource_url: z.string() }).optional(),
});

/** An account as the API returns it (spec §8). */
export const accountJson = z
  .object({
    id: z.string(),
    username: z.string(),
    created: z.number().int().meta({ description: 'Unix seconds' }),
    suspended: z.number().int().meta({ description: 'Unix seconds; 0 when not suspended' }),
    email_addresses: z.array(z.string()),
    first_name: z.string(),
    last_name: z.string(),
    password_expired: z.number().int(),
    nb_messages: z.number().int(),
    nb_files: z.number().int(),
    sources: z.array(sourceJson),
    resource_url: z.string(),
  })
  .meta({ id: 'Account' });
