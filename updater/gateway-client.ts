/**
 * The gateway's health and admin contract, as the updater uses it: livez, readyz, status,
 * drain and undrain on the local listener. Every call has a short time limit; a gateway
 * that does not answer is reported as such, never as healthy.
 */
import http from 'node:http';
import https from 'node:https';

/** The part of `GET /status` the updater reads. */
export interface GatewayStatus {
  version?: string;
  commit?: string;
  /** When the answering process started: a change means the process was replaced (crashed and restarted). */
  startedAt?: string;
  draining?: boolean;
  importsInFlight: number;
  runningQueries: number;
}

/** An answer, or why there was none (`refused`: nothing listens, the process is not running). */
export type Probe<T> = { ok: true; value: T } | { ok: false; reason: string; refused?: boolean };

/** HTTP client of the gateway's local listener. */
export class GatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly adminToken: string | undefined,
    private readonly timeoutMs = 3000,
  ) {}

  /** One request on a fresh connection (no keep-alive: a restarted gateway leaves pooled sockets dead). */
  private request(method: 'GET' | 'POST', route: string): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json', connection: 'close' };
    if (method === 'POST' && this.adminToken !== undefined) headers.authorization = `Bearer ${this.adminToken}`;
    const url = new URL(route, this.baseUrl);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(url, { method, headers, agent: false, timeout: this.timeoutMs }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end();
    });
  }

  private async probe<T>(method: 'GET' | 'POST', route: string, read: (status: number, body: unknown) => Probe<T>): Promise<Probe<T>> {
    try {
      const { status, body } = await this.request(method, route);
      return read(status, body);
    } catch (error) {
      const cause = (error as NodeJS.ErrnoException).code;
      const name = (error as Error).name;
      return {
        ok: false,
        reason: name === 'TimeoutError' ? `${route} did not answer within ${this.timeoutMs} ms` : `${route} unreachable (${cause ?? (error as Error).message})`,
        refused: cause === 'ECONNREFUSED',
      };
    }
  }

  /** `GET /livez`: the process answers. */
  livez(): Promise<Probe<true>> {
    return this.probe('GET', '/livez', (status) => (status === 200 ? { ok: true, value: true } : { ok: false, reason: `/livez answered ${status}` }));
  }

  /** `GET /readyz`: ready to serve. */
  readyz(): Promise<Probe<true>> {
    return this.probe('GET', '/readyz', (status, body) => {
      if (status === 200) return { ok: true, value: true };
      const reasons = (body as { reasons?: unknown } | undefined)?.reasons;
      return { ok: false, reason: `/readyz answered ${status}${Array.isArray(reasons) ? `: ${reasons.join('; ')}` : ''}` };
    });
  }

  /** `GET /status`. */
  status(): Promise<Probe<GatewayStatus>> {
    return this.probe('GET', '/status', (status, body) => {
      if (status !== 200 || typeof body !== 'object' || body === null) return { ok: false, reason: `/status answered ${status}` };
      const fields = body as Record<string, unknown>;
      return {
        ok: true,
        value: {
          version: typeof fields.version === 'string' ? fields.version : undefined,
          commit: typeof fields.commit === 'string' ? fields.commit : undefined,
          startedAt: typeof fields.startedAt === 'string' ? fields.startedAt : undefined,
          draining: typeof fields.draining === 'boolean' ? fields.draining : undefined,
          importsInFlight: typeof fields.importsInFlight === 'number' ? fields.importsInFlight : 0,
          runningQueries: typeof fields.runningQueries === 'number' ? fields.runningQueries : 0,
        },
      };
    });
  }

  /** `POST /admin/drain` (admin token). */
  drain(): Promise<Probe<boolean>> {
    return this.probe('POST', '/admin/drain', (status, body) => (status === 200 ? { ok: true, value: Boolean((body as { draining?: boolean } | undefined)?.draining) } : { ok: false, reason: `/admin/drain answered ${status}` }));
  }

  /** `POST /admin/undrain` (admin token). */
  undrain(): Promise<Probe<boolean>> {
    return this.probe('POST', '/admin/undrain', (status, body) => (status === 200 ? { ok: true, value: Boolean((body as { draining?: boolean } | undefined)?.draining) } : { ok: false, reason: `/admin/undrain answered ${status}` }));
  }
}

/** True when the gateway reports neither a running query nor an import in flight. */
export function isIdle(status: GatewayStatus): boolean {
  return status.importsInFlight === 0 && status.runningQueries === 0;
}
