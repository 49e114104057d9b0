// STARTTLS against a real upsd with a self-signed certificate: verified against a CA, pinned, or unchecked; a wrong
// pin and an unknown certificate refused as AUTH, before any user name or password is sent.
// @module-tag peer: upsd
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NutClient, type NutEndpoint } from '../../../src/protocol/nut/client';
import { ADMIN, startUpsd, type Upsd } from '../../harness/upsd';

let upsd: Upsd;
const endpoint = (extra: Partial<NutEndpoint>): NutEndpoint => ({ host: '127.0.0.1', port: upsd.port, tls: 'off', timeoutMs: 5000, ...extra });

async function status(extra: Partial<NutEndpoint>): Promise<string> {
  const client = new NutClient(endpoint(extra));
  try {
    return await client.getVar('ups1', 'ups.status');
  } finally {
    await client.close();
  }
}

beforeAll(async () => {
  upsd = await startUpsd({ ups1: 'Eaton__5PX__snmp-ups__2.7.4__01.dev' }, { tls: true });
}, 120_000);
afterAll(async () => upsd?.stop());

describe('STARTTLS with upsd', () => {
  it('reads over TLS when the certificate is pinned by its SHA-256 fingerprint', async () => {
    expect(await status({ tls: 'pin', fingerprint: upsd.certificate!.fingerprint })).toBe('OL');
  });

  it('refuses another certificate than the pinned one (AUTH), naming the one it saw', async () => {
    await expect(status({ tls: 'pin', fingerprint: 'AB'.repeat(32) })).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringContaining(upsd.certificate!.fingerprint),
    });
  });

  it('verifies against the system CAs (a self-signed upsd fails) or a CA given', async () => {
    await expect(status({ tls: 'verify' })).rejects.toMatchObject({ code: 'AUTH', message: expect.stringMatching(/self-signed/u) });
    expect(await status({ tls: 'verify', ca: upsd.certificate!.pem })).toBe('OL');
  });

  it('skip encrypts without checking; logins and commands run inside TLS', async () => {
    expect(await status({ tls: 'skip' })).toBe('OL');
    const client = new NutClient(endpoint({ tls: 'skip', username: ADMIN.user, password: ADMIN.password }));
    try {
      expect((await client.setVar('ups1', 'ups.status', 'OL')).status).toBe('SUCCESS');
    } finally {
      await client.close();
    }
  });

  it('without TLS the same server still answers in plain text (upsd does not force it)', async () => {
    expect(await status({ tls: 'off' })).toBe('OL');
  });
});
