/**
 * Talking to a gateway child's hub listener over real mutual TLS (node:https with the test
 * certificates of test/hub/certs.ts): one request, a query run to its end, and the count of every
 * stored patient as the hub sees it. A keep-alive agent per client certificate saves a handshake
 * per request where a test sends thousands.
 */
import https from 'node:https';
import type { ClientPem, HubTestCerts } from '../hub/certs';

/** One answer of the hub listener. */
export interface HubReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  ms: number;
}

const agents = new Map<ClientPem, https.Agent>();

function agentFor(client: ClientPem, certs: HubTestCerts): https.Agent {
  let agent = agents.get(client);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: certs.ca, cert: client.cert, key: client.key });
    agents.set(client, agent);
  }
  return agent;
}

/** Closes the kept-alive connections (call in afterAll). */
export function closeHubAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** Sends one request to the hub listener on `port` as `client` (default: the hub's certificate). */
export function hubRequest(
  port: number,
  certs: HubTestCerts,
  method: string,
  path: string,
  body?: unknown,
  client: ClientPem = certs.hub,
): Promise<HubReply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: agentFor(client, certs),
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { raw: text };
          }
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: parsed,
            ms: performance.now() - started,
          });
        });
        response.on('error', reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error(`no answer to ${method} ${path} within 30 s`)));
    request.on('error', reject);
    if (payload !== undefined) request.write(payload);
    request.end();
  });
}

/** Waits until a job leaves queued/running; returns its last view. */
export async function settleQuery(
  port: number,
  certs: HubTestCerts,
  id: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await hubRequest(port, certs, 'GET', `/queries/${id}`)).body;
    if (job.status !== 'queued' && job.status !== 'running') return job;
    if (Date.now() > deadline) throw new Error(`query ${id} still ${String(job.status)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a definition to its end and returns the result's total numerator (run the gateway with ENDPOINT_MIN_CELL_SIZE=1). */
export async function hubTotal(port: number, certs: HubTestCerts, definition: unknown): Promise<number> {
  const submitted = await hubRequest(port, certs, 'POST', '/queries', definition);
  if (submitted.status !== 202)
    throw new Error(`the hub refused the query: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const id = String(submitted.body.id);
  const job = await settleQuery(port, certs, id);
  if (job.status !== 'complete')
    throw new Error(`query ${id} ended ${String(job.status)}: ${JSON.stringify(job.error)}`);
  const result = (await hubRequest(port, certs, 'GET', `/queries/${id}/result`)).body as {
    total?: { value?: { numerator?: number } };
  };
  const total = result.total?.value?.numerator;
  if (typeof total !== 'number') throw new Error(`query ${id} has no total: ${JSON.stringify(result)}`);
  return total;
}

/** Every stored patient, as the hub counts them (a population with no criteria). */
export const EVERY_PATIENT = { version: 1, population: {} } as const;
