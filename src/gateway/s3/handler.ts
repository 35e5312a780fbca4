import type * as http from 'node:http';
import type { RequestContext } from '../server';

export function handleS3(_ctx: RequestContext, _req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(501);
  res.end();
}
