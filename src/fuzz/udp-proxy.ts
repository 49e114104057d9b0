// A UDP relay in front of an SNMP agent that lets a fault plan rewrite, drop, duplicate or replace each reply: the
// hostile network of the fuzz harness and of the typed-decoding tests. Requests go upstream unchanged (unless the plan
// answers them itself, as an agent refusing with tooBig would); replies go back through `reply`.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface ProxyPlan {
  /** Answer a request here instead of forwarding it (a made-up tooBig); undefined forwards it. */
  intercept?(request: Buffer): Buffer[] | undefined;
  /** The datagrams sent back for one upstream reply: [] drops it, several duplicate or add garbage. */
  reply?(reply: Buffer, request: Buffer): Buffer[];
}

export interface UdpProxy {
  host: string;
  port: number;
  /** Replaced at will between requests. */
  plan: ProxyPlan;
  close(): Promise<void>;
}

export async function startUdpProxy(upstream: { host: string; port: number }, plan: ProxyPlan = {}, host = '127.0.0.1'): Promise<UdpProxy> {
  const front = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const proxy: UdpProxy = { host, port: 0, plan, close: async () => undefined };
  /** One upstream socket per client port, so replies find their way back without parsing anything. */
  const backs = new Map<string, dgram.Socket>();
  let lastRequest = new Map<string, Buffer>();
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`;
    const answer = proxy.plan.intercept?.(msg);
    if (answer) {
      for (const d of answer) front.send(d, rinfo.port, rinfo.address);
      return;
    }
    let back = backs.get(key);
    if (!back) {
      back = dgram.createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
      back.on('error', () => undefined);
      back.on('message', (reply) => {
        const out = proxy.plan.reply ? proxy.plan.reply(reply, lastRequest.get(key) ?? Buffer.alloc(0)) : [reply];
        for (const d of out) front.send(d, rinfo.port, rinfo.address);
      });
      backs.set(key, back);
    }
    lastRequest.set(key, msg);
    back.send(msg, upstream.port, upstream.host);
  });
  front.on('error', () => undefined);
  await new Promise<void>((resolve) => front.bind(0, host, resolve));
  proxy.port = front.address().port;
  proxy.close = async () => {
    for (const b of backs.values()) await new Promise<void>((r) => b.close(() => r()));
    backs.clear();
    lastRequest = new Map();
    await new Promise<void>((r) => front.close(() => r()));
  };
  return proxy;
}
