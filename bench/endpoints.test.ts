import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '@/app/2.0/_shared/routes';
import { NOT_MEASURED, routeCoverage } from './endpoints';
import { scenarios } from './scenarios';

/** `npm run bench` measures every /2.0 route, or says why not (issue 16, item 5). */
describe('bench scenarios', () => {
  it('send every route of API_ROUTES, but those NOT_MEASURED explains, and name no route that does not exist', () => {
    expect(routeCoverage(scenarios)).toEqual({ missing: [], unknown: [] });
  });

  it('name a route that lost its scenario, and a scenario route that is not served', () => {
    const withoutWebhookGet = scenarios.filter(
      (scenario) => !scenario.routes?.includes('GET /2.0/webhooks/{webhook_id}'),
    );
    const renamed = [
      ...scenarios,
      { name: 'x', routes: ['GET /2.0/no-such-route'], expectStatus: 200, request: () => ({}) },
    ];
    expect(routeCoverage(withoutWebhookGet).missing).toEqual(['GET /2.0/webhooks/{webhook_id}']);
    expect(routeCoverage(renamed).unknown).toEqual(['GET /2.0/no-such-route']);
  });

  it('leave unmeasured only routes no scenario sends, each with its reason', () => {
    const measured = new Set(scenarios.flatMap((scenario) => scenario.routes ?? []));
    for (const [route, reason] of Object.entries(NOT_MEASURED)) {
      expect(measured.has(route), route).toBe(false);
      expect(reason.length).toBeGreaterThan(10);
    }
    expect(Object.keys(NOT_MEASURED).length).toBeLessThan(API_ROUTES.length / 10);
  });

  it('have names unique (the summary table keys rows by name) and one expected status per request of a pair', () => {
    const names = scenarios.map((scenario) => scenario.name);
    expect(new Set(names).size).toBe(names.length);
    for (const scenario of scenarios) {
      const routes = scenario.routes ?? [];
      const statuses = [scenario.expectStatus].flat();
      // A create + delete pair expects 201 and 200; a single route one status.
      expect(statuses.length, scenario.name).toBe(routes.length === 2 ? 2 : 1);
    }
  });
});
