/**
 * Quote and invoice files on disk, content-addressed: `<dir>/<first 2 hex>/<sha256>`.
 * Written to a temporary name and renamed, so a crash never leaves half a file under a
 * hash. The ledger checks the hash again when it serves a file.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttachmentFiles } from '../../../ledger/files.ts';

const SHA256 = /^[0-9a-f]{64}$/;

export function diskAttachmentFiles(dir: string): AttachmentFiles {
  function pathOf(sha256: string): string {
    // The hash comes from our own code, but a path is built from it: refuse anything else.
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(dir, sha256.slice(0, 2), sha256);
  }
  return {
    async put(sha256, content) {
      const path = pathOf(sha256);
      const exists = await access(path).then(
        () => true,
        () => false,
      );
      if (exists) return;
      await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
      const tmp = `${path}.${randomUUID()}.tmp`;
      await writeFile(tmp, content, { flag: 'wx' });
      await rename(tmp, path);
    },
    get: (sha256) => readFile(pathOf(sha256)),
  };
}
