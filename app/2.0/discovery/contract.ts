import { discoveryInput, discoveryJson } from '@/lib/discovery/schema';
import { defineRoute, noParams } from '@/lib/http/contract';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/discovery',
  summary: "Look up a mailbox's IMAP settings",
  tag: 'Discovery',
  scope: 'developer',
  params: noParams,
  input: discoveryInput,
  output: { status: 200, description: 'The settings, or found: false', schema: discoveryJson },
  reasons: [],
});
