import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encrypts secret values at rest (SPEC §3 "Secrets at field level") with AES-256-GCM.
 * Each ciphertext is bound to where it is stored (associated data such as
 * `env_vars.value:<organization>:<id>`), so a ciphertext copied into another row or tenant does not
 * decrypt. Layout: version (1 byte) | iv (12) | tag (16) | ciphertext.
 */
export class SecretBox {
  private static readonly VERSION = 1;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes.');
  }

  seal(plaintext: string, context: string): Buffer {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([SecretBox.VERSION]), iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): string {
    if (sealed.length < 29 || sealed[0] !== SecretBox.VERSION) throw new Error('Unknown secret format.');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
  }
}

export class SecretKeyError extends Error {}

export function parseSecretKey(raw: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new SecretKeyError('GATEHOUSE_SECRET_KEY must be 32 bytes, as 64 hex digits or base64 (try: openssl rand -base64 32).');
  }
  return key;
}

/**
 * The key from GATEHOUSE_SECRET_KEY, or, for the embedded default, one generated once and kept
 * under the data directory (mode 0600) so that secrets survive a restart.
 */
export function loadSecretKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return parseSecretKey(configured);
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseSecretKey(fs.readFileSync(file, 'utf8'));
}
