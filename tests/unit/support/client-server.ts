// A throwaway local HTTP server for client tests: records requests and how many were in flight.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestServer {
  baseUrl: string;
  host: string;
  requests: RecordedRequest[];
  maxInFlight: number;
  close(): Promise<void>;
}

/** `handler` gets the zero-based index of each request; it may leave a response hanging. */
export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void,
): Promise<TestServer> {
  let inFlight = 0;
  const state = { requests: [] as RecordedRequest[], maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const index = state.requests.length;
    state.requests.push({ url: req.url ?? '', headers: req.headers });
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    handler(req, res, index);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
