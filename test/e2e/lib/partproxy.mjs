// A small real HTTP proxy on 127.0.0.1 in front of the gateway that sees every S3 UploadPart request
// (PUT ...?partNumber=N&uploadId=X). It forwards everything unchanged, records which parts reached the
// gateway, and can hold part requests back after the first `passParts`: an upload then stalls half-way,
// deterministically, with exactly those parts on the cluster. Held requests are never forwarded (their
// bodies are read and dropped) nor answered; they end when their client dies or the proxy closes.
import fs from 'node:fs';
import http from 'node:http';

export async function startPartProxy(targetUrl) {
  const target = new URL(targetUrl);
  const sent = []; // { partNumber, uploadId, status } of parts forwarded to the gateway, in order
  const held = new Set();
  const sockets = new Set();
  let passParts = Infinity;
  let passed = 0;

  const forward = (req, res, part) => {
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
        if (part) r.on('end', () => sent.push({ ...part, status: r.statusCode }));
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => { if (!res.writableFinished) up.destroy(); });
    req.pipe(up);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const isPart = req.method === 'PUT' && url.searchParams.has('partNumber') && url.searchParams.has('uploadId');
    if (!isPart) return forward(req, res);
    const part = { partNumber: Number(url.searchParams.get('partNumber')), uploadId: url.searchParams.get('uploadId') };
    if (passed >= passParts) {
      // Read and dropped, never answered: the client's request stays in flight until it gives up or
      // dies. (Reading is what lets us notice a client that died: a paused socket sees no close.)
      const h = { ...part, req, clientPort: req.socket.remotePort };
      held.add(h);
      req.socket.once('close', () => held.delete(h));
      req.resume();
      return undefined;
    }
    passed++;
    return forward(req, res, part);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Parts that reached the gateway (with its answer), in the order they finished. */
    sent: () => [...sent],
    /** Part requests being held back right now. */
    held: () => [...held].map(({ partNumber, uploadId }) => ({ partNumber, uploadId })),
    /** The ids of the processes on the other end of the held requests (this machine's /proc). */
    holders: () => pidsOfLocalPorts(new Set([...held].map((h) => h.clientPort))),
    /** Let `n` more part requests through from now on, hold the rest (Infinity: let all through). */
    passParts(n) {
      passParts = n === Infinity ? Infinity : passed + n;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The processes owning the loopback TCP sockets bound to these local ports (Linux /proc). */
function pidsOfLocalPorts(ports) {
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      if (ports.has(parseInt(cols[1].split(':')[1], 16))) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  const pids = new Set();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds;
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to look at
    }
    for (const fd of fds) {
      try {
        if (inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) pids.add(Number(pid));
      } catch {
        // closed meanwhile
      }
    }
  }
  return [...pids];
}
