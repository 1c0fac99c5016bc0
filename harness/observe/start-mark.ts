/**
 * The start mark: a loopback endpoint the generated script's setup() posts to right before the
 * scenarios start. The load's clock (and so the fault timeline and the measured series) starts
 * there, not when the runner process starts, which is seconds earlier (VU initialisation).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StartMark {
  url: string;
  /** Epoch ms of the first POST to /start. */
  started: Promise<number>;
  close(): Promise<void>;
}

export async function startMarkServer(): Promise<StartMark> {
  let resolveStart!: (epoch: number) => void;
  const started = new Promise<number>((r) => (resolveStart = r));
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/start') resolveStart(Date.now());
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/start`,
    started,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
