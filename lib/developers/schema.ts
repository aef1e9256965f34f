import { z } from 'zod';

/** Input for creating a developer and an API key; shared by the CLI, the admin hook and the dashboard. */
export const createDeveloperKeyInput = z.object({
  email: z
    .email({ error: 'expected an email address' })
    .max(254)
    .transform((value) => value.toLowerCase()),
  appName: z
    .string({ error: 'expected the app name end users will see' })
    .trim()
    .min(1, 'expected the app name end users will see')
    .max(80, 'expected an app name of at most 80 characters'),
});

export type CreateDeveloperKeyInput = z.infer<typeof createDeveloperKeyInput>;

export interface DeveloperKeyCredentials {
  developerId: string;
  key: string;
  secret: string;
}
