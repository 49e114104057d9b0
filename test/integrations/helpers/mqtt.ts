// MQTT clients for the tests: a recorder of everything published, and a snapshot of what the broker retains.
import { connectAsync, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

export interface Recorder {
  messages: Received[];
  client: MqttClient;
  /** Messages on a topic, in arrival order. */
  on(topic: string): Received[];
  close(): Promise<void>;
}

export async function record(port: number, filters: string[] = ['#']): Promise<Recorder> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, reconnectPeriod: 0 });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain, at: Date.now() }));
  await client.subscribeAsync(filters, { qos: 1 });
  return {
    messages,
    client,
    on: (topic) => messages.filter((m) => m.topic === topic),
    close: () => client.endAsync(),
  };
}

/** What a newcomer subscribing now gets as retained messages (topic → payload), as Home Assistant would on start. */
export async function retained(port: number, filters: string[] = ['#'], settleMs = 400): Promise<Map<string, string>> {
  const r = await record(port, filters);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  await r.close();
  return new Map(r.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
}
