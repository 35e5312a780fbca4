// An HTTP proxy between us and a cluster (s3cmd's proxy_host/proxy_port). HTTPS goes through a CONNECT
// tunnel with TLS end to end; plain HTTP is sent in absolute form (GET http://host/path) by the AIS
// transport, and through a CONNECT tunnel by the S3 SDK, which cannot write absolute-form requests.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface ProxyOptions {
  host: string;
  port: number;
}

export function proxyLabel(proxy: ProxyOptions): string {
  return `${proxy.host}:${proxy.port}`;
}

/** Error from the proxy itself (it refused the tunnel or could not reach the cluster). */
export class ProxyRefused extends Error {
  override readonly name = 'ProxyRefused';
  constructor(
    readonly status: number,
    readonly proxy: string,
    readonly target: string,
  ) {
    super(`the proxy ${proxy} answered ${status} to CONNECT ${target}`);
  }
}

/** Opens a raw TCP tunnel to host:port through the proxy. */
function openTunnel(proxy: ProxyOptions, host: string, port: number, callback: (err: Error | null, socket?: net.Socket) => void): void {
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const req = http.request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: authority, headers: { Host: authority }, agent: false });
  let done = false;
  const finish = (err: Error | null, socket?: net.Socket) => {
    if (done) return;
    done = true;
    callback(err, socket);
  };
  req.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      finish(new ProxyRefused(res.statusCode ?? 0, proxyLabel(proxy), authority));
      return;
    }
    finish(null, socket);
  });
  req.once('response', (res) => {
    // a proxy that answers CONNECT with a normal response refused it
    res.resume();
    finish(new ProxyRefused(res.statusCode ?? 0, proxyLabel(proxy), authority));
  });
  req.once('error', (err) => finish(err));
  req.end();
}

function targetOf(options: http.ClientRequestArgs): { host: string; port: number } {
  const host = (options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
  return { host, port: Number(options.port) };
}

/** Plain HTTP through a CONNECT tunnel (for clients that only write origin-form requests). */
export class HttpTunnelAgent extends http.Agent {
  constructor(
    private readonly proxy: ProxyOptions,
    options: http.AgentOptions = {},
  ) {
    super(options);
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const { host, port } = targetOf(options);
    openTunnel(this.proxy, host, port || 80, (err, socket) => callback?.(err, socket as Duplex));
    return undefined;
  }
}

/** HTTPS through a CONNECT tunnel: the proxy sees only the host name, TLS runs to the cluster. */
export class HttpsTunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxyOptions,
    options: https.AgentOptions = {},
  ) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const { host, port } = targetOf(options);
    let called = false;
    const once = (err: Error | null, stream?: Duplex) => {
      if (called) return;
      called = true;
      callback?.(err, stream as Duplex);
    };
    openTunnel(this.proxy, host, port || 443, (err, socket) => {
      if (err || !socket) return once(err ?? new Error('no tunnel'));
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        socket,
        servername: net.isIP(host) ? undefined : (options.servername ?? host),
      });
      // Hand the socket over once TLS is up, so certificate errors surface as the request's error.
      secure.once('secureConnect', () => once(null, secure));
      secure.once('error', (e) => once(e));
    });
    return undefined;
  }
}
