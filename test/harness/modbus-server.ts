// A real Modbus/TCP server (modbus-serial's ServerTCP) on a free loopback port, answering every unit id through
// one function so a test decides per read: registers, an exception ({modbusErrorCode}) or silence (a dead unit).
import { ServerTCP, type IServiceVector } from 'modbus-serial';
import { freeTcpPort } from './ports';

export type Answer = (fn: 3 | 4, unit: number, address: number, count: number) => Promise<number[]>;

/** A ServerTCP/ServerSerial vector that sends every read, single or multiple register, through `answer`. */
export function vectorFor(answer: Answer): IServiceVector {
  const multi = (fn: 3 | 4) => (address: number, count: number, unit: number, cb: (err: Error | null, v: number[]) => void) =>
    void answer(fn, unit, address, count).then((v) => cb(null, v), (err: Error) => cb(err, []));
  const single = (fn: 3 | 4) => (address: number, unit: number, cb: (err: Error | null, v: number) => void) =>
    void answer(fn, unit, address, 1).then((v) => cb(null, v[0]), (err: Error) => cb(err, 0));
  return {
    getHoldingRegister: single(3),
    getMultipleHoldingRegisters: multi(3),
    getInputRegister: single(4),
    getMultipleInputRegisters: multi(4),
  };
}

export interface TestModbusServer {
  server: ServerTCP;
  port: number;
  close(): Promise<void>;
}

/** ServerTCP takes port 0 as "use 502", so a free port is found first. */
export async function startModbusServer(answer: Answer): Promise<TestModbusServer> {
  const port = await freeTcpPort();
  const server = new ServerTCP(vectorFor(answer), { host: '127.0.0.1', port, debug: false });
  await new Promise((resolve, reject) => {
    server.on('initialized', resolve);
    server.on('serverError', reject);
  });
  server.on('socketError', () => undefined); // a client going away mid-test is expected
  return { server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
