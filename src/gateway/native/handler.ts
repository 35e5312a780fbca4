// AIStore's native HTTP API (/v1). Filled in by the native-API work (issue 6).
import type * as http from 'node:http';
import type { RequestContext } from '../server';

export function handleNative(_ctx: RequestContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const body = JSON.stringify({ message: 'not implemented yet', method: req.method, url_path: req.url, status: 501 });
  res.writeHead(501, { 'Content-Type': 'application/json' });
  res.end(body);
}
