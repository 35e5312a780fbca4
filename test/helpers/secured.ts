// Secured gateways as programs (dist/gateway.js in child processes, as users run them): one that wants
// requests signed with keys, one that runs AuthN with short-lived tokens; and a proxy in front of a
// gateway that counts the UploadPart requests reaching it and can hold them back until told to go on.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { gatewayProgram, GatewayProcess, startGatewayProcess } from './program';

export interface SecuredGateway extends GatewayProcess {
  /** The AuthN server's URL (gateways started with --authn). */
  authnUrl?: string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

async function start(tmp: string, name: string, args: string[]): Promise<SecuredGateway> {
  const script = await gatewayProgram(tmp);
  const gw = await startGatewayProcess(script, ['--data', path.join(tmp, name), ...args]);
  return Object.assign(gw, { stop: () => gw.kill('SIGTERM') });
}

/** A gateway that refuses whatever is not signed with these keys (S3 SigV4/V2; /v1 also the derived Bearer token). */
export function startKeyedGateway(tmp: string, keys: { accessKey: string; secretKey: string }): Promise<SecuredGateway> {
  return start(tmp, `keyed-${Date.now()}`, ['--access-key', keys.accessKey, '--secret-key', keys.secretKey]);
}

/** A gateway with AuthN on a free port: one full-access user, tokens lasting `ttl` (a Go duration) unless asked otherwise. */
export async function startAuthnGateway(tmp: string, user: { name: string; password: string }, ttl: string): Promise<SecuredGateway> {
  const gw = await start(tmp, `authn-${Date.now()}`, ['--authn', '--authn-port', '0', '--authn-user', `${user.name}:${user.password}`, '--authn-ttl', ttl]);
  const t0 = Date.now();
  const authnLine = () => /AuthN listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(gw.output());
  while (!authnLine() && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
  const m = authnLine();
  if (!m) {
    await gw.kill();
    throw new Error(`the gateway did not report its AuthN URL: ${gw.output()}`);
  }
  gw.authnUrl = m[1];
  return gw;
}

export interface PartGate {
  url: string;
  /** UploadPart requests the gateway answered, in the order they finished. */
  sent(): { partNumber: number; status: number }[];
  /** UploadPart requests held back right now. */
  held(): number[];
  /** From now on let `n` more parts through and hold the rest (Infinity: all, and release those held). */
  pass(n: number): void;
  /** What went wrong on the way (for a failing test's message). */
  problems(): string[];
  /** Forgets what was sent (a second attempt counts afresh). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Forwards everything to `target`; S3 UploadPart requests (PUT ?partNumber&uploadId) beyond the allowed
 * number wait, unread, until pass() lets them go, then reach the gateway with what they carry (a token
 * that has expired meanwhile, say).
 */
export async function partGate(target: string): Promise<PartGate> {
  const upstream = new URL(target);
  let sent: { partNumber: number; status: number }[] = [];
  const problems: string[] = [];
  const held: { partNumber: number; go: () => void }[] = [];
  let allowed = Infinity;
  let passed = 0;
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, part?: number) => {
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      if (part !== undefined) answer.on('end', () => sent.push({ partNumber: part, status: answer.statusCode ?? 0 }));
    });
    up.on('error', (e: NodeJS.ErrnoException) => {
      problems.push(`${req.method} ${req.url}: upstream ${e.code ?? e.message}`);
      res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        problems.push(`${req.method} ${req.url}: client went away`);
        up.destroy();
      }
    });
    req.on('error', (e: NodeJS.ErrnoException) => problems.push(`${req.method} ${req.url}: client ${e.code ?? e.message}`));
    req.pipe(up);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gate');
    if (req.method !== 'PUT' || !url.searchParams.has('partNumber') || !url.searchParams.has('uploadId')) return forward(req, res);
    const partNumber = Number(url.searchParams.get('partNumber'));
    if (passed < allowed) {
      passed++;
      return forward(req, res, partNumber);
    }
    req.pause();
    const h = { partNumber, go: () => forward(req, res, partNumber) };
    held.push(h);
    req.socket.once('close', () => held.includes(h) && held.splice(held.indexOf(h), 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => [...sent],
    held: () => held.map((h) => h.partNumber),
    problems: () => [...problems],
    pass(n) {
      allowed = n === Infinity ? Infinity : passed + n;
      while (held.length && passed < allowed) {
        passed++;
        held.shift()!.go();
      }
    },
    reset() {
      sent = [];
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
