// Servers that answer with something other than their API's format (garbage XML or JSON, a cut-off body,
// a proxy's HTML page, the wrong content type): both clients throw a ClientError that names the endpoint
// and what came instead, never a parser's words ("Unexpected token", "Deserialization error") or a stack.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AisClusterClient } from '../../src/client/ais/client';
import { S3ClusterClient } from '../../src/client/s3';
import { BucketRef, ClientError, ClusterClient } from '../../src/client/cluster';
import { fixedAnswerServer } from '../helpers/servers';

interface Answer {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** What the message must say about it. */
  says: RegExp;
}

const NGINX_502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
const answers: Answer[] = [
  { name: 'garbage XML', status: 200, headers: { 'Content-Type': 'application/xml' }, body: '<<<not xml', says: /"<<<not xml"/ },
  { name: 'cut-off JSON', status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"entries": [{"name": "a"', says: /\{"entries": \[\{"name": "a"/ },
  { name: 'a web server page', status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html><body><h1>Welcome to nginx!</h1></body></html>', says: /sent an HTML page \("Welcome to nginx!"\) instead of .*A web server or a proxy \(a login page\?\) answers like this/ },
  { name: 'JSON of another shape as text/plain', status: 200, headers: { 'Content-Type': 'text/plain' }, body: '[1,2,3]', says: /\[1,2,3\]/ },
  { name: 'cut-off XML', status: 200, headers: { 'Content-Type': 'application/xml' }, body: '<?xml version="1.0"?><ListAllMyBucketsResult><Buckets><Bucket><Name>a</Na', says: /"<\?xml version="1\.0"\?><ListAllMyB…"/ },
  { name: 'an empty body', status: 200, headers: { 'Content-Type': 'application/xml' }, body: '', says: /an empty body \(application\/xml\)/ },
];

// A short quote of what came is fine; a parser's words, a whole page or a stack are not.
const RAW = /Unexpected token|Unexpected end|Deserialization|@aws-sdk|XML parse error|is not valid JSON at|\n\s+at |<html/;

function check(err: unknown, endpoint: string, kind: ClientError['kind'], says: RegExp, context: string): void {
  assert.ok(err instanceof ClientError, `${context}: expected a ClientError, got ${String(err)}`);
  assert.equal(err.kind, kind, `${context}: ${err.message}`);
  assert.ok(err.message.startsWith(endpoint), `${context}: names the endpoint first: ${err.message}`);
  assert.match(err.message, says, context);
  assert.doesNotMatch(err.message, RAW, `${context}: no parser words, markup or stack`);
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await run();
    return new Error(`it succeeded with ${JSON.stringify(value)}`);
  } catch (err) {
    return err;
  }
}

function operations(client: ClusterClient, bucket: BucketRef): [string, () => Promise<unknown>][] {
  return [
    ['list buckets', () => client.listBuckets()],
    ['list objects', () => client.listObjects(bucket, { prefix: 'dir/' })],
  ];
}

test('AIS client: garbage, cut-off and HTML answers to listings, HEAD and bucket props are clear protocol errors', async () => {
  for (const a of answers) {
    const server = await fixedAnswerServer(a.status, a.headers, a.body);
    const client = new AisClusterClient({ kind: 'ais', endpoint: server.url });
    const bucket = { name: 'b', provider: 'ais' };
    try {
      for (const [op, run] of operations(client, bucket)) {
        const err = await failure(run);
        check(err, server.url, 'protocol', a.says, `${a.name}, ${op}`);
        assert.match((err as Error).message, /instead of AIStore's JSON\. The request was for (buckets|the object list of bucket ais:\/\/b|bucket ais:\/\/b)\. .*Check that the endpoint is an AIStore gateway/);
      }
      // HEAD has no body: what gives it away is a 200 without any of AIStore's Ais-* headers.
      check(await failure(() => client.headObject(bucket, 'k')), server.url, 'protocol', /sent a HEAD answer without any Ais-\* header .*request was for object ais:\/\/b\/k/, `${a.name}, HEAD`);
      check(await failure(() => client.getBucketProps(bucket)), server.url, 'protocol', /without the Ais-Bucket-Props header/, `${a.name}, bucket props`);
    } finally {
      client.dispose();
      await server.close();
    }
  }
  // Cut-off JSON is called that; unreadable props in the header too.
  const cut = await fixedAnswerServer(200, { 'Content-Type': 'application/json' }, '{"entries": [{"name": "a"');
  const props = await fixedAnswerServer(200, { 'Ais-Bucket-Props': '{"checksum":' }, '');
  const a = new AisClusterClient({ kind: 'ais', endpoint: cut.url });
  const b = new AisClusterClient({ kind: 'ais', endpoint: props.url });
  try {
    check(await failure(() => a.listBuckets()), cut.url, 'protocol', /sent application\/json that is cut off \("\{"entries": \[\{"name": "a""\)/, 'cut-off JSON');
    check(await failure(() => b.getBucketProps({ name: 'b', provider: 'ais' })), props.url, 'protocol', /sent an Ais-Bucket-Props header that is not valid JSON \("\{"checksum":"\).*request was for the props of bucket ais:\/\/b/, 'bad props header');
  } finally {
    a.dispose();
    b.dispose();
    await cut.close();
    await props.close();
  }
});

test('S3 client: garbage, cut-off and HTML answers are clear protocol errors, not "no buckets" and not SDK parser errors', async () => {
  for (const a of answers) {
    const server = await fixedAnswerServer(a.status, a.headers, a.body);
    const client = new S3ClusterClient({ kind: 's3', endpoint: server.url, accessKey: 'k', secretKey: 's' });
    try {
      for (const [op, run] of operations(client, { name: 'b', provider: 's3' })) {
        const err = await failure(run);
        check(err, server.url, 'protocol', a.says, `${a.name}, ${op}`);
        assert.match((err as Error).message, /instead of S3's XML\. The request was for (buckets|bucket s3:\/\/b)\. .*Check the endpoint/);
      }
    } finally {
      client.dispose();
      await server.close();
    }
  }
  // HEAD of a bucket answered by a web server's page; a HEAD of an object whose date is no date.
  const page = await fixedAnswerServer(200, { 'Content-Type': 'text/html' }, '<html><body>hi</body></html>');
  const badDate = await fixedAnswerServer(200, { 'Content-Type': 'application/octet-stream', 'Last-Modified': 'yesterday' }, 'abc');
  const a = new S3ClusterClient({ kind: 's3', endpoint: page.url, accessKey: 'k', secretKey: 's' });
  const b = new S3ClusterClient({ kind: 's3', endpoint: badDate.url, accessKey: 'k', secretKey: 's' });
  try {
    check(await failure(() => a.getBucketProps({ name: 'b', provider: 's3' })), page.url, 'protocol', /sent an HTML page.*request was for bucket s3:\/\/b/, 'HEAD bucket');
    check(await failure(() => b.headObject({ name: 'b', provider: 's3' }, 'k')), badDate.url, 'protocol', /sent headers it could not read.*request was for object s3:\/\/b\/k/, 'HEAD object');
  } finally {
    a.dispose();
    b.dispose();
    await page.close();
    await badDate.close();
  }
});

test("a proxy's HTML error page: a server error quoting the page's title, for both clients", async () => {
  const server = await fixedAnswerServer(502, { 'Content-Type': 'text/html' }, NGINX_502);
  const clients: ClusterClient[] = [new AisClusterClient({ kind: 'ais', endpoint: server.url }), new S3ClusterClient({ kind: 's3', endpoint: server.url, accessKey: 'k', secretKey: 's' })];
  try {
    for (const client of clients) {
      for (const [op, run] of operations(client, { name: 'b', provider: client.kind === 'ais' ? 'ais' : 's3' })) {
        check(await failure(run), server.url, 'server', /failed on .* \(502\)\. Try again.*502 Bad Gateway/, `${client.kind} ${op}`);
      }
    }
  } finally {
    for (const c of clients) c.dispose();
    await server.close();
  }
});
