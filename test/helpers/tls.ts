// The test TLS certificates (test/fixtures/tls: a CA and a server certificate for 127.0.0.1 and localhost it signed).
// Tests run from out/test/<dir>/, with this helper bundled in; the fixtures stay in the source tree.
import * as fs from 'node:fs';
import * as path from 'node:path';

const tlsDir = path.resolve(__dirname, '../../../test/fixtures/tls');
export const testTls = () => ({ cert: fs.readFileSync(path.join(tlsDir, 'server.crt')), key: fs.readFileSync(path.join(tlsDir, 'server.key')) });
export const testCaFile = path.join(tlsDir, 'ca.crt');
