// Big test files made and checked on the fly, never held whole in memory.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

const MiB = 1024 * 1024;

export function md5File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash('md5');
    fs.createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** Writes `size` random bytes in 1 MiB chunks. */
export function writeRandomFile(file: string, size: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < size; off += MiB) fs.writeSync(fd, crypto.randomBytes(Math.min(MiB, size - off)));
  } finally {
    fs.closeSync(fd);
  }
}
