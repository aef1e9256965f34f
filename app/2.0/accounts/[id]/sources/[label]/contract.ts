import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput, successJson } from '@/lib/http/contract';
import { sourceJson, sourceLabelParam, updateSourceInput } from '@/lib/sources/schema';

const params = z.object({ id: accountIdParam, label: sourceLabelParam });

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/sources/{label}',
  summary: 'Get a source',
  tag: 'Sources',
  scope: 'source',
  params,
  input: noInput,
  output: { status: 200, description: 'The source', schema: sourceJson },
  reasons: [],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/accounts/{id}/sources/{label}',
  summary: 'Update a source',
  tag: 'Sources',
  scope: 'source',
  params,
  input: updateSourceInput,
  output: { status: 200, description: 'Updated', schema: successJson },
  reasons: ['callback_url_not_allowed', 'callback_url_private', 'imap_unavailable'],
});

export const DELETE = defineRoute({
  method: 'DELETE',
  path: '/2.0/accounts/{id}/sources/{label}',
  summary: 'Delete a source',
  tag: 'Sources',
  scope: 'source',
  params,
  input: noInput,
  output: { status: 200, description: 'Deleted', schema: successJson },
  reasons: ['source_not_found'],
});
