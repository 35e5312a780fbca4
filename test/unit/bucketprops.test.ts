// The bucket properties page's model (props JSON → sections of plain rows), the checksum sentences and the
// page's HTML: from props as AIStore sends them, as our gateway sends them, and as an S3 endpoint tells them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createClusterClient } from '../../src/client';
import type { BucketProps } from '../../src/client/cluster';
import {
  bucketPropsSections,
  checksumChangeMessage,
  checksumChoices,
  formatAccess,
  formatCreated,
  formatFeatures,
  formatGoDuration,
  parseSize,
  type PropSection,
} from '../../src/objects/bucketprops';
import { escapeHtml, parsePageMessage, renderBucketPropsPage } from '../../src/objects/bucketpropspage';
import { startTestGateway } from '../helpers/gateway';

// `ais bucket props show ais://photos --json` of an AIStore 4.x cluster: cmn.Bprops with its Go JSON tags
// (durations and IEC sizes as text, uint64s as strings).
const AIS_PROPS = {
  write_policy: { data: '', md: '' },
  provider: 'ais',
  checksum: { type: 'xxhash', validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false },
  rate_limit: {
    backend: { interval: '1m', max_tokens: 1000, enabled: false, num_retries: 3 },
    frontend: { interval: '1m', max_tokens: 1000, enabled: true, burst_size: 375 },
  },
  ec: { objsize_limit: 262144, compression: 'never', bundle_multiplier: 2, data_slices: 2, parity_slices: 2, enabled: true, disk_only: false },
  chunks: { objsize_limit: '0B', max_monolithic_size: '1TiB', chunk_size: '1GiB' },
  mirror: { copies: 2, burst_buffer: 128, enabled: false },
  lru: { dont_evict_time: '2h0m', capacity_upd_time: '10m', enabled: true },
  access: '18446744073709551615',
  features: '16400',
  bid: '3196234787',
  created: '1733480400000000000',
  versioning: { enabled: true, validate_warm_get: false, synchronize: false },
  extra: { custom: 'team=alpha' },
  future_section: { x: 1 },
} as unknown as BucketProps;

const row = (sections: PropSection[], id: string) => sections.flatMap((s) => s.rows).find((r) => r.id === id);

test('AIStore props: sections with plain names, units, local dates and an explanation on every row', () => {
  const sections = bucketPropsSections(AIS_PROPS, { name: 'photos', provider: 'ais', kind: 'ais' });
  assert.deepEqual(sections.map((s) => s.id), ['general', 'checksum', 'versioning', 'mirror', 'ec', 'lru', 'chunks', 'write_policy', 'rate_limit', 'other']);
  for (const r of sections.flatMap((s) => s.rows)) {
    assert.ok(r.label && r.explanation, `row ${r.id} has a name and an explanation`);
    assert.notEqual(r.value, '', `row ${r.id} has a value`);
  }
  assert.equal(row(sections, 'name')?.value, 'ais://photos');
  assert.equal(row(sections, 'provider')?.value, 'AIS');
  const created = new Date(1733480400000);
  const p = (n: number) => String(n).padStart(2, '0');
  assert.equal(row(sections, 'created')?.value, `${created.getFullYear()}-${p(created.getMonth() + 1)}-${p(created.getDate())} ${p(created.getHours())}:${p(created.getMinutes())}`);
  assert.equal(row(sections, 'access')?.value, 'Full access');
  assert.equal(row(sections, 'features')?.value, 'Fsync-PUT, S3-Use-Path-Style');
  assert.equal(row(sections, 'extra.custom')?.value, 'team=alpha');
  assert.equal(row(sections, 'checksum.type')?.value, 'xxhash');
  assert.equal(row(sections, 'checksum.validate_cold_get')?.value, 'On');
  assert.equal(row(sections, 'checksum.validate_cold_get')?.label, 'Check on first read from the backend');
  assert.equal(row(sections, 'checksum.validate_warm_get')?.value, 'Off');
  assert.equal(row(sections, 'versioning.enabled')?.value, 'On');
  // Mirroring is off: its copies are not shown (they do not apply).
  assert.equal(row(sections, 'mirror.enabled')?.value, 'Off');
  assert.equal(row(sections, 'mirror.copies'), undefined);
  assert.equal(row(sections, 'ec.data_slices')?.value, '2');
  assert.equal(row(sections, 'ec.objsize_limit')?.value, '256 KiB');
  assert.equal(row(sections, 'lru.dont_evict_time')?.value, '2 h');
  assert.equal(row(sections, 'lru.capacity_upd_time')?.value, '10 min');
  assert.equal(row(sections, 'chunks.objsize_limit')?.value, 'Never (multipart uploads only)');
  assert.equal(row(sections, 'chunks.chunk_size')?.value, '1.00 GiB');
  assert.equal(row(sections, 'chunks.max_monolithic_size')?.value, '1.00 TiB');
  assert.equal(row(sections, 'write_policy.data')?.value, 'Immediately');
  assert.equal(row(sections, 'rate_limit.frontend')?.value, 'At most 1000 requests per 1 min');
  assert.equal(row(sections, 'rate_limit.backend')?.value, 'Off');
  // What the page does not describe is still there, as sent; the bucket id is internal.
  assert.equal(row(sections, 'future_section')?.value, '{"x":1}');
  assert.equal(row(sections, 'bid'), undefined);
  assert.match(sections.find((s) => s.id === 'checksum')!.note!, /existing objects keep/);
});

test('the embedded gateway\'s props and an S3 endpoint\'s (region, versioning) read as such', async (t) => {
  const gw = await startTestGateway();
  t.after(() => gw.dispose());
  await gw.s3.send(new CreateBucketCommand({ Bucket: 'pics' }));
  const ais = createClusterClient({ kind: 'ais', endpoint: gw.url });
  const s3 = createClusterClient({ kind: 's3', endpoint: gw.s3Endpoint, accessKey: 'test', secretKey: 'test' });
  t.after(() => (ais.dispose(), s3.dispose()));

  const props = await ais.getBucketProps({ name: 'pics', provider: 'ais' });
  const sections = bucketPropsSections(props, { name: 'pics', provider: 'ais', kind: 'ais' });
  assert.deepEqual(sections.map((s) => s.id), ['general', 'checksum', 'versioning', 'mirror', 'lru', 'write_policy']);
  assert.equal(row(sections, 'checksum.type')?.value, 'xxhash');
  assert.ok(row(sections, 'created')?.value.match(/^\d{4}-\d\d-\d\d \d\d:\d\d$/), 'a local date');
  // An ais:// bucket does not evict: LRU is off and says no more.
  assert.deepEqual(sections.find((s) => s.id === 'lru')!.rows.map((r) => r.value), ['Off']);

  const s3props = await s3.getBucketProps({ name: 'pics', provider: 's3' });
  assert.equal(s3props.region, 'us-east-1', 'an empty LocationConstraint is us-east-1');
  const s3sections = bucketPropsSections(s3props, { name: 'pics', provider: 's3', kind: 's3' });
  assert.deepEqual(s3sections.map((s) => s.id), ['general', 'versioning']);
  assert.equal(row(s3sections, 'name')?.value, 's3://pics');
  assert.equal(row(s3sections, 'region')?.value, 'us-east-1');
  assert.equal(row(s3sections, 'versioning.enabled')?.value, 'Off');
});

test('values: Go durations, IEC sizes, nanosecond dates, access masks, feature flags', () => {
  assert.equal(formatGoDuration('2h0m'), '2 h');
  assert.equal(formatGoDuration('1h30m0s'), '1 h 30 min');
  assert.equal(formatGoDuration('1m30s'), '1 min 30 s');
  assert.equal(formatGoDuration('500ms'), '500 ms');
  assert.equal(formatGoDuration('0s'), '0 s');
  assert.equal(formatGoDuration('soon'), 'soon');
  assert.equal(parseSize('1GiB'), 2 ** 30);
  assert.equal(parseSize('0B'), 0);
  assert.equal(parseSize(5 * 1024 * 1024), 5 * 1024 * 1024);
  assert.equal(parseSize('lots'), undefined);
  assert.equal(formatCreated('0'), undefined);
  assert.equal(formatCreated('garbage'), undefined);
  assert.equal(formatAccess(String(1 | 2 | 256 | 512)), 'Read-only');
  assert.equal(formatAccess('0'), 'No access');
  assert.equal(formatAccess(String(1 | 4)), 'read objects, write objects');
  assert.equal(formatFeatures('0'), 'None');
});

test('checksum choices: the current type first and marked', () => {
  const choices = checksumChoices('md5');
  assert.equal(choices[0].value, 'md5');
  assert.equal(choices[0].current, true);
  assert.equal(choices.filter((c) => c.current).length, 1);
  assert.deepEqual(choices.map((c) => c.value).sort(), ['crc32c', 'md5', 'none', 'sha256', 'sha512', 'xxhash', 'xxhash2']);
  assert.equal(checksumChoices(undefined)[0].value, 'none');
});

test('what a checksum change means, in plain sentences', () => {
  const base = { type: 'xxhash', validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false };
  assert.equal(checksumChangeMessage('ais://photos', base, { ...base, type: 'md5' }), 'Objects uploaded to ais://photos from now on get md5 checksums; existing objects keep theirs.');
  assert.equal(checksumChangeMessage('ais://photos', base, { ...base, type: 'none' }), 'Objects uploaded to ais://photos from now on get no checksum; existing objects keep theirs.');
  assert.equal(
    checksumChangeMessage('ais://photos', base, { ...base, validate_warm_get: true, validate_cold_get: false }),
    'Checksums are no longer verified when an object is first read from the backend. Checksums are now verified on every read.',
  );
  assert.equal(checksumChangeMessage('ais://photos', base, base), 'Nothing changed: ais://photos keeps its xxhash checksum settings.');
  // A cluster that leaves the flags out means false.
  assert.equal(checksumChangeMessage('ais://photos', { type: 'md5' }, { ...base, type: 'md5', validate_cold_get: false }), 'Nothing changed: ais://photos keeps its md5 checksum settings.');
});

test('the page: a strict CSP with the nonce, nothing remote, escaped values, the checksum form with the current value selected', () => {
  const sections = bucketPropsSections({ ...AIS_PROPS, extra: { custom: '<img src=x onerror=alert(1)>' } } as BucketProps, { name: 'photos', provider: 'ais', kind: 'ais' });
  const html = renderBucketPropsPage(
    { bucketUri: 'ais://photos', clusterName: 'e2e', sections, checksum: { type: 'md5', validate_warm_get: true }, banner: { kind: 'info', text: 'Saved & done' } },
    { nonce: 'N0NCE' },
  );
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp, 'a CSP');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0NCE'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
  assert.equal(csp, "default-src 'none'; style-src 'nonce-N0NCE'; script-src 'nonce-N0NCE';");
  // Every script and style carries the nonce; nothing is fetched from anywhere.
  assert.equal((html.match(/<script/g) ?? []).length, (html.match(/<script nonce="N0NCE">/g) ?? []).length);
  assert.equal((html.match(/<style/g) ?? []).length, (html.match(/<style nonce="N0NCE">/g) ?? []).length);
  assert.doesNotMatch(html, /\b(src|href)=["']?https?:/);
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /Saved &amp; done/);
  assert.match(html, /<title>Properties: ais:\/\/photos<\/title>/);
  assert.match(html, /<option value="md5" selected>md5 \(current\)/);
  assert.equal((html.match(/ selected>/g) ?? []).length, 1);
  assert.match(html, /<input type="checkbox" id="flag-validate_warm_get" name="validate_warm_get" checked>/);
  assert.match(html, /<input type="checkbox" id="flag-validate_cold_get" name="validate_cold_get">/);
  assert.match(html, /id="raw"[^>]*>Show Raw JSON</);
  // Colours only from the theme.
  assert.doesNotMatch(html.replace(/var\(--vscode-[\w-]+/g, ''), /#[0-9a-f]{3,6}\b|rgb\(/i);
  // Without an editable checksum (an S3 endpoint), no form.
  assert.doesNotMatch(renderBucketPropsPage({ bucketUri: 's3://b', clusterName: 'aws', sections: [] }, { nonce: 'n' }), /checksum-form"/);
  assert.equal(escapeHtml(`<a href="x">'&`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
});

test('page messages are checked before the extension acts on them', () => {
  const checksum = { type: 'md5', validate_cold_get: true, validate_warm_get: false, validate_obj_move: false, enable_read_range: false };
  assert.deepEqual(parsePageMessage({ type: 'save', checksum }), { type: 'save', checksum });
  assert.deepEqual(parsePageMessage({ type: 'raw' }), { type: 'raw' });
  assert.equal(parsePageMessage({ type: 'save', checksum: { type: 'md5' } }), undefined);
  assert.equal(parsePageMessage({ type: 'save', checksum: { ...checksum, validate_cold_get: 'yes' } }), undefined);
  assert.equal(parsePageMessage({ type: 'delete' }), undefined);
  assert.equal(parsePageMessage('save'), undefined);
});
