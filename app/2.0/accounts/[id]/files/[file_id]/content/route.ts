import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { openFileContent } from '@/lib/message-content/content';
import { locateFile } from '@/lib/message-content/data';
import * as contract from './contract';

/** GET /2.0/accounts/:id/files/:file_id/content (spec §16): streamed, whatever its size. */
export const GET = apiRoute(contract.GET, async ({ db, account, params }) => {
  const file = await locateFile(db, account, params.file_id);
  if (!file) return { ok: false, reason: 'file_not_found' };
  const opened = await openFileContent(file);
  if (!opened.ok) return opened;
  return {
    stream: {
      stream: opened.download.stream,
      // The type the sync recorded, so the download matches GET …/files/:file_id.
      contentType: file.contentType || opened.download.contentType,
      fileName: file.fileName,
    },
  };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
