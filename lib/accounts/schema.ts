import { z } from 'zod';
import { sourceFilters, sourceJson } from '@/lib/sources/schema';
import { optionalText, pagination, storableString } from '@/lib/validation/fields';

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
