/**
 * The merchant's web shop in the end-to-end tests: a real HTTP server on 127.0.0.1 whose
 * /return page is the payment's return_url. It echoes the query parameters the gateway
 * appended (each in an element with its name as id), as a shop's "thank you" page would read
 * them before asking the gateway for the order.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export async function startShop(): Promise<Shop> {
  const visits: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    visits.push(url.pathname + url.search);
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
