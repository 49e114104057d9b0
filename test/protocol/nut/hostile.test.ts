// The NUT client against a server that is not a well-behaved upsd: unterminated quotes, an endless line, rows of
// another list, silence, a reply nobody asked for. Each is a clear error (PROTOCOL or TIMEOUT), never a value, and
// the next request starts over on a fresh connection.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NutDeviceReader } from '../../../src/polling/nut-reader';
import { NutClient } from '../../../src/protocol/nut/client';

let server: net.Server | undefined;
let connections = 0;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A server answering each request line with `answer(line, connection number)` (undefined: silence). */
async function fake(answer: (line: string, connection: number) => string | undefined): Promise<NutClient> {
  connections = 0;
  server = net.createServer((socket) => {
    const n = ++connections;
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const reply = answer(buffer.slice(0, nl), n);
        buffer = buffer.slice(nl + 1);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return new NutClient({ host: '127.0.0.1', port: (server!.address() as net.AddressInfo).port, tls: 'off', timeoutMs: 500 });
}

const good = 'BEGIN LIST VAR u\nVAR u ups.status "OL"\nEND LIST VAR u\n';

describe('NutClient against a misbehaving server', () => {
  it('an unterminated quote is PROTOCOL; the next request reconnects and reads', async () => {
    const client = await fake((_l, n) => (n === 1 ? 'BEGIN LIST VAR u\nVAR u ups.status "OL\nEND LIST VAR u\n' : good));
    await expect(client.listVar('u')).rejects.toMatchObject({ code: 'PROTOCOL' });
    expect((await client.listVar('u')).get('ups.status')).toBe('OL');
    expect(connections).toBe(2);
    await client.close();
  });

  it('a line without end is PROTOCOL, not a growing buffer', async () => {
    const client = await fake(() => 'VAR u x "' + 'A'.repeat(100_000));
    await expect(client.listVar('u')).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringMatching(/longer than/u) });
    await client.close();
  });

  it('a reply garbled after good rows fails the read: no value of it is kept, the next read is whole', async () => {
    const client = await fake((_l, n) =>
      n === 1 ? 'BEGIN LIST VAR u\nVAR u battery.charge "93"\nVAR u ups.status "OL\nEND LIST VAR u\n' : 'BEGIN LIST VAR u\nVAR u ups.status "OB"\nEND LIST VAR u\n',
    );
    const reader = new NutDeviceReader(client, 'u');
    await expect(reader.read()).rejects.toMatchObject({ code: 'PROTOCOL' });
    expect(await reader.read()).toEqual({ 'ups.status': 'OB' });
    await client.close();
  });

  it('rows of another UPS inside the list are PROTOCOL', async () => {
    const client = await fake(() => 'BEGIN LIST VAR u\nVAR other ups.status "OB"\nEND LIST VAR u\n');
    await expect(client.listVar('u')).rejects.toMatchObject({ code: 'PROTOCOL' });
    await client.close();
  });

  it('silence is TIMEOUT, and a late reply cannot be taken for the next answer', async () => {
    let calls = 0;
    const client = await fake((_l, n) => (n === 1 && ++calls === 1 ? undefined : good));
    await expect(client.getVar('u', 'ups.status')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect((await client.listVar('u')).get('ups.status')).toBe('OL');
    expect(connections).toBe(2);
    await client.close();
  });

  it('a reply with extra lines drops the connection so the next answer is in step', async () => {
    const client = await fake((line, n) => (n === 1 ? 'VAR u ups.status "OL"\nVAR u ups.status "OB"\n' : line.startsWith('GET') ? 'VAR u ups.status "OL"\n' : good));
    expect(await client.getVar('u', 'ups.status')).toBe('OL');
    expect(await client.getVar('u', 'ups.status')).toBe('OL');
    expect(connections).toBe(2);
    await client.close();
  });

  it('a name with spaces or a value with a line break is refused before it is sent (no protocol injection)', async () => {
    const seen: string[] = [];
    const client = await fake((line) => (seen.push(line), good));
    await expect(client.listVar('u\nINSTCMD u load.off')).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(client.instcmd('u', 'beeper.mute', 'x"\nINSTCMD u load.off')).rejects.toMatchObject({ code: 'CONFIG' });
    await expect(client.setVar('u', 'ups.id', 'a\rb')).rejects.toMatchObject({ code: 'CONFIG' });
    expect(seen.filter((l) => l.includes('INSTCMD') || l.includes('SET'))).toEqual([]);
    await client.close();
  });
});
