import { z } from 'zod';
import { accountIdParam, accountJson, listAccountsInput, updateAccountInput } from '@/lib/accounts/schema';
import {
  connectTokenCreatedJson,
  connectTokenJson,
  connectTokenParam,
  createConnectTokenInput,
  createReconnectTokenInput,
  listConnectTokensInput,
} from '@/lib/connect-tokens/schema';
import { discoveryInput, discoveryJson } from '@/lib/discovery/schema';
import { fileIdParam, fileJson, listFilesInput } from '@/lib/files/schema';
import { folderJson, sourceSyncJson, syncQueuedJson } from '@/lib/mailbox-sync/schema';
import { getMessageInput, listMessagesInput, messageIdParam, messageJson } from '@/lib/messages/schema';
import { listSourcesInput, sourceJson, sourceLabelParam, updateSourceInput } from '@/lib/sources/schema';

/**
 * The OpenAPI 3.1 document of the /2.0 API, generated from the same zod schemas
 * the route handlers parse with. Every route must be listed in API_OPERATIONS
 * (a test walks app/2.0 and checks).
 */

type HttpMethod = 'get' | 'post' | 'delete';

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI path template, e.g. /2.0/accounts/{id}. */
  path: string;
  summary: string;
  tag: 'Connect tokens' | 'Accounts' | 'Sources' | 'Messages' | 'Files' | 'Discovery';
  input?: z.ZodObject;
  success: { status: number; description: string; schema: z.ZodType };
}

const emptyInput = z.object({});
const successJson = z.object({ success: z.literal(true) });
const errorJson = z
  .object({ type: z.literal('error'), value: z.string().meta({ description: 'What went wrong, for a human' }) })
  .meta({ id: 'Error' });

const pathParams: Record<string, z.ZodType> = {
  id: accountIdParam,
  label: sourceLabelParam,
  token: connectTokenParam,
  message_id: messageIdParam,
  file_id: fileIdParam,
};

function connectTokenOperations(prefix: string, level: string, createInput: z.ZodObject): ApiOperation[] {
  const tag = 'Connect tokens' as const;
  return [
    {
      method: 'post',
      path: `${prefix}/connect_tokens`,
      summary: `Create a connect token ${level}`,
      tag,
      input: createInput,
      success: { status: 201, description: 'Created', schema: connectTokenCreatedJson },
    },
    {
      method: 'get',
      path: `${prefix}/connect_tokens`,
      summary: `List connect tokens ${level}`,
      tag,
      input: listConnectTokensInput,
      success: { status: 200, description: 'Tokens, oldest first', schema: z.array(connectTokenJson) },
    },
    {
      method: 'get',
      path: `${prefix}/connect_tokens/{token}`,
      summary: `Get a connect token ${level}`,
      tag,
      success: { status: 200, description: 'The token', schema: connectTokenJson },
    },
    {
      method: 'delete',
      path: `${prefix}/connect_tokens/{token}`,
      summary: `Delete a connect token ${level} (never the account it created)`,
      tag,
      success: { status: 200, description: 'Deleted', schema: successJson },
    },
  ];
}

export const API_OPERATIONS: ApiOperation[] = [
  ...connectTokenOperations('/2.0', 'for a new account', createConnectTokenInput),
  ...connectTokenOperations('/2.0/accounts/{id}', 'for a second mailbox on an account', createConnectTokenInput),
  ...connectTokenOperations('/2.0/accounts/{id}/sources/{label}', 'to re-connect a source', createReconnectTokenInput),
  {
    method: 'get',
    path: '/2.0/accounts',
    summary: 'List accounts',
    tag: 'Accounts',
    input: listAccountsInput,
    success: { status: 200, description: 'Accounts, oldest first', schema: z.array(accountJson) },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}',
    summary: 'Get an account',
    tag: 'Accounts',
    success: { status: 200, description: 'The account', schema: accountJson },
  },
  {
    method: 'post',
    path: '/2.0/accounts/{id}',
    summary: "Update an account's names",
    tag: 'Accounts',
    input: updateAccountInput,
    success: { status: 200, description: 'Updated', schema: successJson },
  },
  {
    method: 'delete',
    path: '/2.0/accounts/{id}',
    summary: 'Delete an account with its sources and synced data',
    tag: 'Accounts',
    success: { status: 200, description: 'Deleted', schema: successJson },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/sources',
    summary: "List an account's sources",
    tag: 'Sources',
    input: listSourcesInput,
    success: { status: 200, description: 'Sources, oldest first', schema: z.array(sourceJson) },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/sources/{label}',
    summary: 'Get a source',
    tag: 'Sources',
    success: { status: 200, description: 'The source', schema: sourceJson },
  },
  {
    method: 'post',
    path: '/2.0/accounts/{id}/sources/{label}',
    summary: 'Update a source',
    tag: 'Sources',
    input: updateSourceInput,
    success: { status: 200, description: 'Updated', schema: successJson },
  },
  {
    method: 'delete',
    path: '/2.0/accounts/{id}/sources/{label}',
    summary: 'Delete a source',
    tag: 'Sources',
    success: { status: 200, description: 'Deleted', schema: successJson },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/sources/{label}/folders',
    summary: "List a source's folders, with whether each is synced",
    tag: 'Sources',
    success: { status: 200, description: 'Folders, by name', schema: z.array(folderJson) },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/sources/{label}/sync',
    summary: "Get a source's sync state per folder",
    tag: 'Sources',
    success: { status: 200, description: 'Sync state keyed by folder name', schema: sourceSyncJson },
  },
  {
    method: 'post',
    path: '/2.0/accounts/{id}/sources/{label}/sync',
    summary: 'Queue a sync of a source',
    tag: 'Sources',
    success: {
      status: 202,
      description: 'Queued (syncs_queued is 0 when one was already waiting)',
      schema: syncQueuedJson,
    },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/messages',
    summary: "List an account's synced messages, newest first",
    tag: 'Messages',
    input: listMessagesInput,
    success: { status: 200, description: 'Messages', schema: z.array(messageJson) },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/messages/{message_id}',
    summary: 'Get a synced message',
    tag: 'Messages',
    input: getMessageInput,
    success: { status: 200, description: 'The message', schema: messageJson },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/files',
    summary: "List the attachments of an account's synced messages",
    tag: 'Files',
    input: listFilesInput,
    success: { status: 200, description: 'Files, newest message first', schema: z.array(fileJson) },
  },
  {
    method: 'get',
    path: '/2.0/accounts/{id}/files/{file_id}',
    summary: "Get one attachment's metadata",
    tag: 'Files',
    success: { status: 200, description: 'The file', schema: fileJson },
  },
  {
    method: 'get',
    path: '/2.0/discovery',
    summary: "Look up a mailbox's IMAP settings",
    tag: 'Discovery',
    input: discoveryInput,
    success: { status: 200, description: 'The settings, or found: false', schema: discoveryJson },
  },
];

/** Served beside the operations but not one of them. */
const DOCUMENT_PATH = '/2.0/openapi.json';

const operationPatterns = API_OPERATIONS.map((operation) => ({
  method: operation.method.toUpperCase(),
  pattern: new RegExp(`^${operation.path.replace(/\./g, '\\.').replace(/\{\w+\}/g, '[^/]+')}/?$`),
}));

/**
 * The methods a /2.0 path serves, for the Allow header of a 405 and OPTIONS
 * (RFC 9110 §15.5.6): read from the operations, so it cannot drift from the routes.
 */
export function allowedMethodsFor(path: string): string[] {
  const methods = new Set(
    path.replace(/\/$/, '') === DOCUMENT_PATH
      ? ['GET']
      : operationPatterns.filter(({ pattern }) => pattern.test(path)).map(({ method }) => method),
  );
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

type JsonSchema = Record<string, unknown>;

/** JSON Schema for one zod schema, with named schemas moved to components. */
function toOpenApiSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, JsonSchema>,
): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const toComponentRefs = (value: unknown): JsonSchema =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  const { $schema: _dialect, $defs, ...rest } = generated;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    components[name] = toComponentRefs(definition);
  }
  return toComponentRefs(rest);
}

const ERROR_RESPONSES = {
  '400': 'A parameter is missing or invalid; the message names it',
  '401': 'The OAuth 1.0a signature, timestamp or nonce was refused',
  '404': "Unknown, expired or another developer's resource",
} as const;

export function buildOpenApiDocument(baseUrl: string) {
  const components: Record<string, JsonSchema> = {};
  const errorSchema = toOpenApiSchema(errorJson, 'output', components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of API_OPERATIONS) {
    const parameters: unknown[] = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
      name,
      in: 'path',
      required: true,
      schema: toOpenApiSchema(pathParams[name] ?? z.string(), 'input', components),
      description: pathParams[name]?.meta()?.description,
    }));
    const input = operation.input ?? emptyInput;
    const inputSchema = toOpenApiSchema(input, 'input', components);
    let requestBody: unknown;
    if (operation.method === 'post') {
      const content = { schema: inputSchema };
      requestBody = {
        required: true,
        content: {
          'application/x-www-form-urlencoded': content,
          'multipart/form-data': content,
          'application/json': content,
        },
      };
    } else {
      const properties = (inputSchema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((inputSchema.required ?? []) as string[]);
      for (const [name, schema] of Object.entries(properties)) {
        const { description, ...rest } = schema;
        parameters.push({ name, in: 'query', required: required.has(name), schema: rest, description });
      }
    }
    const responses: Record<string, unknown> = {
      [String(operation.success.status)]: {
        description: operation.success.description,
        content: { 'application/json': { schema: toOpenApiSchema(operation.success.schema, 'output', components) } },
      },
    };
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      responses[status] = { description, content: { 'application/json': { schema: errorSchema } } };
    }
    paths[operation.path] ??= {};
    const entry = paths[operation.path] as Record<string, unknown>;
    entry[operation.method] = {
      operationId: `${operation.method}${operation.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+/g, '_')}`,
      summary: operation.summary,
      tags: [operation.tag],
      parameters,
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mailport — Context.IO 2.0 API',
      version: '2.0',
      description:
        'Connect tokens, accounts, sources and their synced messages and files in Context.IO 2.0 shapes. Paths work with or without a trailing slash. ' +
        'Sign every request with two-legged OAuth 1.0a (HMAC-SHA1, your consumer key and secret). ' +
        'POST bodies may be form-encoded, multipart or JSON; unknown parameters are ignored.',
    },
    servers: [{ url: baseUrl }],
    security: [{ oauth1: [] }],
    tags: [
      { name: 'Connect tokens' },
      { name: 'Accounts' },
      { name: 'Sources' },
      { name: 'Messages' },
      { name: 'Files' },
      { name: 'Discovery' },
    ],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        oauth1: {
          type: 'http',
          scheme: 'OAuth',
          description:
            'Two-legged OAuth 1.0a, HMAC-SHA1 (RFC 5849): parameters in the Authorization header, the query or a form body.',
        },
      },
    },
  };
}
