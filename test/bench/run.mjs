// Runs every benchmark in this folder, one after the other (they each start their own server).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'lib.mjs')
  .sort()) {
  console.log(`\n== ${file}`);
  execFileSync(process.execPath, [join(here, file)], { stdio: 'inherit' });
}
