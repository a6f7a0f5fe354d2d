/**
 * A merchant's notification endpoint that answers with whatever status and body a test sets,
 * on a real socket: how a test makes a delivery fail, or makes the receiver's answer carry
 * markup into what the dashboard shows.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnsweringReceiver {
  url: string;
  answer: { status: number; body: string };
  /** How many requests arrived. */
  count(): number;
  close(): Promise<void>;
}

export const ACK = { status: 200, body: '{"ret_code":"000000","ret_msg":"Success"}' };

export async function answeringReceiver(answer = ACK): Promise<AnsweringReceiver> {
  let count = 0;
  const receiver = {
    url: '',
    answer,
    count: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(receiver.answer.status, { 'content-type': 'application/json' }).end(receiver.answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  const close = receiver.close;
  receiver.close = () => {
    server.closeAllConnections();
    return close();
  };
  return receiver;
}
