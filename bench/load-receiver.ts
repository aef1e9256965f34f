import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The partner's webhook receiver in the load run (bench/load.ts): de-duplicates
 * by `X-Mailport-Delivery-Id`, as the docs tell receivers to, and counts. It can
 * hold requests unanswered, so a worker can be killed with a delivery in flight;
 * a held request whose socket closes before the answer was cut by that kill.
 */

export interface WebhookReceiver {
  url: string;
  /** Delivery id → the message it announced (email_message_id) and how many POSTs carried it. */
  deliveries: Map<string, { messageId: string; posts: number }>;
  /** POSTs received in all (retries of one delivery included). */
  posts: () => number;
  /** Requests held unanswered right now. */
  held: () => number;
  /** Delivery ids whose request was cut (its connection closed) while held. */
  cut: Set<string>;
  /** While on, requests are held; turning it off answers every held one with 200. */
  hold: (on: boolean) => void;
  stop: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: WebhookReceiver['deliveries'] = new Map();
  const cut = new Set<string>();
  const waiting = new Set<{ response: ServerResponse; id: string }>();
  let posts = 0;
  let holding = false;

  const answer = (response: ServerResponse) => {
    if (!response.writableEnded && !response.destroyed) response.writeHead(200).end('ok');
  };
  const receive = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const id = request.headers['x-mailport-delivery-id'];
    if (typeof id !== 'string' || !id) {
      response.writeHead(400).end('no delivery id');
      return;
    }
    posts += 1;
    let messageId = '';
    try {
      const parsed = JSON.parse(body) as { message_data?: { email_message_id?: unknown } };
      messageId = String(parsed.message_data?.email_message_id ?? '');
    } catch {
      response.writeHead(400).end('not JSON');
      return;
    }
    if (!holding) {
      record(id, messageId);
      answer(response);
      return;
    }
    const entry = { response, id };
    waiting.add(entry);
    // Counted only when answered: a delivery whose sender died never reached the partner's store.
    response.once('close', () => {
      if (waiting.delete(entry)) cut.add(id);
    });
    response.once('finish', () => record(id, messageId));
  };
  const record = (id: string, messageId: string) => {
    const seen = deliveries.get(id);
    if (seen) seen.posts += 1;
    else deliveries.set(id, { messageId, posts: 1 });
  };

  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => receive(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    deliveries,
    cut,
    posts: () => posts,
    held: () => waiting.size,
    hold(on) {
      holding = on;
      if (on) return;
      for (const entry of [...waiting]) {
        waiting.delete(entry);
        answer(entry.response);
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        holding = false;
        for (const entry of waiting) answer(entry.response);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
