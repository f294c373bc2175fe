import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request; `attempt` counts the requests for the same URL so far, this one included. */
export type Answer = (req: IncomingMessage, res: ServerResponse, attempt: number) => void;

/** An HTTP server on 127.0.0.1 standing in for Cboe and Deribit, recording every URL asked for. */
export interface Upstream {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  /** The URLs requested since the start or the last `reset()`, in order. */
  requests: string[];
  reset(): void;
  /** Closes the server, dropping any connection a test left hanging. */
  close(): Promise<void>;
}

export async function startUpstream(answer: Answer): Promise<Upstream> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    answer(req, res, requests.filter((r) => r === url).length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    reset: () => void requests.splice(0),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
