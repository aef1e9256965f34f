import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { currentTime } from '@/lib/clock';
import { type Db, getDb } from '@/lib/db/client';
import { getConfig } from '@/lib/env';
import { authenticateRequest } from './authenticate';
import { ApiError } from './errors';
import { assertStorableInput, parseRequest } from './request';
import { errorBody, errorResponse, jsonResponse } from './respond';
import { describeZodError } from './zod-errors';

/** What every /2.0 handler receives: the authenticated developer and validated input. */
export interface ApiContext<Params, Input> {
  developerId: string;
  params: Params;
  input: Input;
  db: Db;
  /** The domain's clock (see lib/clock.ts). */
  now: Date;
  /** Public base URL, for resource_url and browser_redirect_url. */
  baseUrl: string;
}

export interface ApiResult {
  status?: number;
  body: unknown;
}

interface RouteSpec<ParamsSchema extends z.ZodType, InputSchema extends z.ZodType> {
  params: ParamsSchema;
  input: InputSchema;
  handler: (context: ApiContext<z.output<ParamsSchema>, z.output<InputSchema>>) => Promise<ApiResult>;
}

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/**
 * The one wrapper for every /2.0 route: parse the body, verify OAuth 1.0a,
 * validate params and input with zod, run the handler, map errors.
 */
export function apiRoute<ParamsSchema extends z.ZodType, InputSchema extends z.ZodType>(
  spec: RouteSpec<ParamsSchema, InputSchema>,
) {
  return async (request: Request, routeContext: NextRouteContext): Promise<Response> => {
    const requestId = randomBytes(6).toString('hex');
    try {
      const config = getConfig();
      const db = await getDb();
      const parsed = await parseRequest(request);
      const { developerId } = await authenticateRequest(db, request, parsed.formBody, new Date());
      const now = currentTime();

      const rawParams = (await routeContext?.params) ?? {};
      assertStorableInput(rawParams, 'path');
      const params = spec.params.safeParse(rawParams);
      // A malformed id in the path is an unknown resource, never a 400 that confirms the shape.
      if (!params.success) throw new ApiError('not_found', describeZodError(params.error, 'path', rawParams));
      const input = spec.input.safeParse(parsed.input);
      if (!input.success) throw new ApiError('bad_request', describeZodError(input.error, 'parameter', parsed.input));

      const result = await spec.handler({
        developerId,
        params: params.data,
        input: input.data,
        db,
        now,
        baseUrl: config.publicUrl,
      });
      return jsonResponse(result.body, result.status ?? 200);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

/** For the methods a /2.0 resource does not support: Context.IO's error shape, not an empty 405. */
export async function methodNotAllowed(request: Request): Promise<Response> {
  return jsonResponse(errorBody(`${request.method} is not supported on this resource`), 405);
}
