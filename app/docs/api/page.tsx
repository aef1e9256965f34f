import type { Metadata } from 'next';
import { API_ROUTES } from '@/app/2.0/_shared/routes';
import { PageShell } from '@/components/ui/page-shell';
import { getConfig } from '@/lib/env';
import { buildOpenApiDocument } from '@/lib/http/openapi';

export const metadata: Metadata = { title: 'API reference — Mailport' };
export const dynamic = 'force-dynamic';

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  maximum?: number;
  description?: string;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'body';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  parameters: Parameter[];
  requestBody?: {
    content: Record<string, { schema: { properties?: Record<string, JsonSchema>; required?: string[] } }>;
  };
  responses: Record<string, { description: string }>;
}

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return schema.enum.join(' | ');
  if (schema.type === 'integer' && schema.maximum !== undefined) return `integer ≤ ${schema.maximum}`;
  return String(schema.type ?? 'string');
}

function ParameterTable({ caption, rows }: { caption: string; rows: Parameter[] }) {
  if (rows.length === 0) return null;
  return (
    <div className="mt-3 overflow-x-auto">
      <table className="w-full min-w-[32rem] border-collapse text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-300">
            <th scope="col" className="py-1 pr-3 font-semibold">
              Name
            </th>
            <th scope="col" className="py-1 pr-3 font-semibold">
              In
            </th>
            <th scope="col" className="py-1 pr-3 font-semibold">
              Type
            </th>
            <th scope="col" className="py-1 font-semibold">
              Meaning
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.in}-${row.name}`} className="border-b border-slate-200 align-top">
              <td className="py-1 pr-3 font-mono">
                {row.name}
                {row.required && <span className="ml-1 text-red-800">(required)</span>}
              </td>
              <td className="py-1 pr-3">{row.in}</td>
              <td className="py-1 pr-3 font-mono">{typeOf(row.schema)}</td>
              <td className="py-1 text-slate-700">{row.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A readable rendering of the same OpenAPI document /2.0/openapi.json serves. */
export default function ApiReferencePage() {
  const document = buildOpenApiDocument(getConfig().publicUrl, API_ROUTES);
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, Operation>).map(([method, operation]) => ({ path, method, operation })),
  );
  const tags = document.tags.map((tag) => tag.name);
  return (
    <PageShell>
      <h1 className="text-2xl font-bold">API reference</h1>
      <p className="mt-4 max-w-2xl text-slate-700">
        Mailport implements the Context.IO 2.0 REST API under{' '}
        <code className="font-mono">{document.servers[0]?.url}/2.0/</code>. Existing Context.IO client libraries work
        unchanged: give them this base URL and your consumer key and secret.
      </p>
      <ul className="mt-4 max-w-2xl list-disc space-y-1 pl-5 text-slate-700">
        <li>
          Sign every request with two-legged OAuth 1.0a, HMAC-SHA1, in the Authorization header, the query or a form
          body.
        </li>
        <li>POST bodies may be form-encoded, multipart or JSON. Unknown parameters are ignored. Flags are 0 or 1.</li>
        <li>
          Errors are <code className="font-mono">{'{"type":"error","value":"…"}'}</code>; a 400 names the parameter.
        </li>
        <li>
          Machine-readable:{' '}
          <a className="text-indigo-700 underline" href="/2.0/openapi.json">
            OpenAPI 3.1 document
          </a>
          .
        </li>
      </ul>
      {tags.map((tag) => (
        <section key={tag} aria-labelledby={`tag-${tag}`} className="mt-10">
          <h2 id={`tag-${tag}`} className="text-xl font-semibold">
            {tag}
          </h2>
          {operations
            .filter(({ operation }) => operation.tags.includes(tag))
            .map(({ path, method, operation }) => {
              const body = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema;
              const bodyRows: Parameter[] = Object.entries(body?.properties ?? {}).map(([name, schema]) => ({
                name,
                in: 'body',
                required: body?.required?.includes(name) ?? false,
                description: schema.description,
                schema,
              }));
              const success = Object.entries(operation.responses)[0];
              return (
                <article key={operation.operationId} className="mt-6 rounded-lg border border-slate-200 bg-white p-4">
                  <h3 className="break-all font-mono text-sm sm:text-base">
                    <span className="mr-2 rounded bg-slate-800 px-2 py-0.5 text-xs font-bold uppercase text-white">
                      {method}
                    </span>{' '}
                    {path}
                  </h3>
                  <p className="mt-2 text-slate-700">{operation.summary}</p>
                  <ParameterTable
                    caption={`Parameters of ${method.toUpperCase()} ${path}`}
                    rows={[...operation.parameters, ...bodyRows]}
                  />
                  {success && (
                    <p className="mt-2 text-sm text-slate-700">
                      Answers <span className="font-mono">{success[0]}</span>: {success[1].description}.
                    </p>
                  )}
                </article>
              );
            })}
        </section>
      ))}
    </PageShell>
  );
}
