import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const credentialsProfile = 'lathe';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newAccessKey(): AccessKey {
  const id = [...randomBytes(16)].map((b) => ALNUM[b % ALNUM.length]).join('');
  const secret = randomBytes(30)
    .toString('base64')
    .replace(/[+/]/g, (c) => (c === '+' ? 'x' : 'Y'));
  return { accessKeyId: `LKIA${id}`, secretAccessKey: secret };
}

/** Reads one profile from an AWS shared-credentials INI text. */
export function readProfile(ini: string, profile: string): AccessKey | undefined {
  let current = '';
  const values: Record<string, string> = {};
  for (const raw of ini.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = section[1]!.trim();
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (kv && current === profile) values[kv[1]!.toLowerCase()] = kv[2]!.trim();
  }
  const id = values.aws_access_key_id;
  const secret = values.aws_secret_access_key;
  return id && secret ? { accessKeyId: id, secretAccessKey: secret } : undefined;
}

/**
 * The root access key: the configured one, else the one in `<dataDir>/credentials`, else a
 * new one written there (AWS shared-credentials INI, profile `lathe`, mode 0600).
 */
export function ensureRootCredentials(
  dataDir: string,
  configured: { accessKeyId?: string; secretAccessKey?: string },
): { key: AccessKey; file: string | undefined; created: boolean } {
  const file = join(dataDir, 'credentials');
  if (configured.accessKeyId && configured.secretAccessKey) {
    return {
      key: { accessKeyId: configured.accessKeyId, secretAccessKey: configured.secretAccessKey },
      file: undefined,
      created: false,
    };
  }
  if (existsSync(file)) {
    const key = readProfile(readFileSync(file, 'utf8'), credentialsProfile);
    if (!key) throw new Error(`${file} has no [${credentialsProfile}] profile with both keys`);
    return { key, file, created: false };
  }
  mkdirSync(dataDir, { recursive: true });
  const key = newAccessKey();
  const text = `[${credentialsProfile}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, file, created: true };
}
