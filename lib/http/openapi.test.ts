import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '@/app/2.0/_shared/routes';
import { buildOpenApiDocument, openApiDocumentOnce } from './openapi';

/** Every route.ts under app/2.0 with the HTTP methods it really serves (not the 405 stubs). */
function routeFiles(dir: string): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      if (!entry.startsWith('_')) found.push(...routeFiles(full));
      continue;
    }
    if (entry !== 'route.ts') continue;
    const source = readFileSync(full, 'utf8');
    const methods = new Set<string>();
    for (const match of source.matchAll(/export const \{ ([A-Z, ]+) \}/g)) {
      for (const name of (match[1] ?? '').split(',')) methods.add(name.trim());
    }
    for (const match of source.matchAll(
      /export (?:const|function|async function) (GET|POST|DELETE|PUT|PATCH)\b(.*)/g,
    )) {
      if (!(match[2] ?? '').includes('methodNotAllowed')) methods.add(match[1] ?? '');
    }
    const routePath = path
      .relative('app', path.dirname(full))
      .replace(/\[?\[\.\.\.(\w+)\]\]?/g, '*')
      .replace(/\[(\w+)\]/g, '{$1}');
    found.push({ path: `/${routePath}`, methods: [...methods].sort() });
  }
  return found;
}

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument('https://mail.example.com', API_ROUTES);

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is built once per base URL and kept (GET /2.0/openapi.json serves the kept one)', () => {
    const first = openApiDocumentOnce('https://mail.example.com', API_ROUTES);
    expect(openApiDocumentOnce('https://mail.example.com', API_ROUTES)).toBe(first);
    expect(first).toEqual(document);
    const elsewhere = openApiDocumentOnce('https://other.example.com', API_ROUTES);
    expect(elsewhere).not.toBe(first);
    expect(elsewhere.servers).toEqual([{ url: 'https://other.example.com' }]);
  });

  it('describes every /2.0 route and method the app serves, and nothing else', () => {
    const served = routeFiles('app/2.0')
      .filter((route) => route.path !== '/2.0/*' && route.path !== '/2.0/openapi.json')
      .flatMap((route) => route.methods.map((method) => `${method} ${route.path}`))
      .sort();
    const documented = API_ROUTES.map((route) => `${route.method} ${route.path}`).sort();
    expect(served.length).toBeGreaterThanOrEqual(20);
    expect(documented).toEqual(served);
  });

  it("serves each route through its own directory's registered contract", async () => {
    const routes = routeFiles('app/2.0').filter(
      (route) => route.path !== '/2.0/*' && route.path !== '/2.0/openapi.json',
    );
    const checked: string[] = [];
    for (const route of routes) {
      const directory = route.path.replace(/\{(\w+)\}/g, '[$1]');
      const module = (await import(path.resolve(`app${directory}/route.ts`))) as Record<string, unknown>;
      for (const method of route.methods) {
        const contract = (module[method] as { contract?: unknown } | undefined)?.contract;
        // apiRoute attaches the contract it was built from; the registry must hold that very object.
        expect(API_ROUTES, `${method} ${route.path}`).toContain(contract);
        expect(contract).toMatchObject({ method, path: route.path });
        checked.push(`${method} ${route.path}`);
      }
    }
    expect(checked).toHaveLength(API_ROUTES.length);
  });

  it('answers every method on every resource in the error format: no route leaves one to the framework', async () => {
    const routes = routeFiles('app/2.0').filter((route) => route.path !== '/2.0/*');
    expect(routes.length).toBeGreaterThanOrEqual(20);
    for (const route of routes) {
      const directory = route.path.replace(/\{(\w+)\}/g, '[$1]');
      const module = (await import(path.resolve(`app${directory}/route.ts`))) as Record<string, unknown>;
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        expect(typeof module[method], `${method} ${route.path}`).toBe('function');
      }
    }
  });

  it('lists the domain reasons a route may fail with as its error responses', () => {
    const update = (document.paths['/2.0/accounts/{id}/sources/{label}'] as any).post;
    expect(Object.keys(update.responses).sort()).toEqual(['200', '400', '401', '404', '503']);
    const create = (document.paths['/2.0/connect_tokens'] as any).post;
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '404']);
    const sync = (document.paths['/2.0/accounts/{id}/sources/{label}/sync'] as any).post;
    expect(Object.keys(sync.responses)).toContain('202');
  });

  it('documents parameters from the zod schemas, flags as 0/1', () => {
    const post = (document.paths['/2.0/connect_tokens'] as any).post;
    const schema = post.requestBody.content['application/x-www-form-urlencoded'].schema;
    expect(schema.required).toEqual(['callback_url']);
    expect(schema.properties.source_sync_flags).toMatchObject({ type: 'integer', enum: [0, 1] });
    expect(schema.properties.callback_url.description).toContain('contextio_token');
    const list = (document.paths['/2.0/accounts'] as any).get;
    expect(list.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['email', 'status', 'status_ok', 'limit', 'offset']),
    );
    expect(document.components.schemas).toHaveProperty('ConnectToken');
    expect(document.components.schemas).toHaveProperty('Account');
  });
});
