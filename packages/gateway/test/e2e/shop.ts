/**
 * The merchant's web shop in the end-to-end tests: a real HTTP server on 127.0.0.1 whose
 * /return page is the payment's return_url. It echoes the query parameters the gateway
 * appended (each in an element with its name as id), as a shop's "thank you" page would read
 * them before asking the gateway for the order.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * More pages for the shop (a card form, its payment endpoint): answers the request and returns
 * true, or returns false to leave it to the return page.
 */
export type ShopRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface Shop {
  origin: string;
  /** The return_url to send with a payment, with the shop's own query parameter. */
  returnUrl(orderRef: string): string;
  /** Every page the browser asked the shop for (path and query). */
  visits: string[];
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function startShop(routes?: ShopRoutes): Promise<Shop> {
  const visits: string[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    visits.push(url.pathname + url.search);
    if (routes && (await routes(req, res, url))) return;
    if (req.method !== 'GET' || url.pathname !== '/return') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const rows = [...url.searchParams]
      .map(
        ([name, value]) =>
          `<dt>${escapeHtml(name)}</dt><dd id="${escapeHtml(name)}">${escapeHtml(value)}</dd>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotus Tea House: your order</title></head>
<body><h1>Back at Lotus Tea House</h1><dl>${rows}</dl></body></html>`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    returnUrl: (orderRef) => `${origin}/return?ref=${encodeURIComponent(orderRef)}`,
    visits,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
