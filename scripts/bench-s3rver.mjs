// s3rver (the npm fake S3 server) as the benchmark's peer, in its own process.
// Usage: node scripts/bench-s3rver.mjs DATA_DIR   (prints "listening on http://127.0.0.1:PORT")
import S3rver from 's3rver';

const server = new S3rver({ address: '127.0.0.1', port: 0, directory: process.argv[2] ?? 's3rver-data', silent: true });
const { port } = await server.run();
console.log(`listening on http://127.0.0.1:${port}`);
