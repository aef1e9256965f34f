import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput } from '@/lib/http/contract';
import { sourceSyncJson, syncQueuedJson } from '@/lib/mailbox-sync/schema';
import { sourceLabelParam } from '@/lib/sources/schema';

const params = z.object({ id: accountIdParam, label: sourceLabelParam });

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/sources/{label}/sync',
  summary: "Get a source's sync state per folder",
  tag: 'Sources',
  scope: 'source',
  params,
  input: noInput,
  output: { status: 200, description: 'Sync state keyed by folder name', schema: sourceSyncJson },
  reasons: [],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/accounts/{id}/sources/{label}/sync',
  summary: 'Queue a sync of a source',
  tag: 'Sources',
  scope: 'source',
  params,
  input: noInput,
  output: {
    status: 202,
    description: 'Queued (syncs_queued is 0 when one was already waiting)',
    schema: syncQueuedJson,
  },
  reasons: [],
});
