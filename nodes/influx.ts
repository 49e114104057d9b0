// rackpower-influx: device node readings and events in, InfluxDB line protocol out (msg.payload, text), for an
// http request node POSTing to InfluxDB's /write (1.x) or /api/v2/write (2.x). The format is
// src/integrations/influx.ts; nothing is kept between messages.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { CONTENT_TYPE, eventLine, readingLines } from '../src/integrations/influx';
import { parseInput } from '../src/integrations/input';
import { migrated } from './lib/migrations';

const TYPE = 'rackpower-influx';

export = (RED: NodeAPI): void => {
  RED.nodes.registerType(TYPE, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    def = migrated(def);
    this.on('input', (msg, send, done) => {
      // A standby handing its shard back (msg.forget): nothing is kept here, nothing to write.
      if ((msg as { forget?: unknown }).forget !== undefined) {
        done();
        return;
      }
      const input = parseInput(msg as typeof msg & Record<string, unknown>);
      if (!input) {
        done(new Error(RED._(`${TYPE}.errors.notReading`)));
        return;
      }
      const lines =
        input.type === 'event'
          ? [eventLine(input.event)]
          : readingLines(input.device, input.type === 'reading' ? input.values : { [input.variable]: input.value }, input.timestamp);
      // An empty reading (every value filtered away) writes nothing: InfluxDB refuses an empty body.
      // The http request node sends msg.headers: InfluxDB reads the body as UTF-8 text (names may be any language).
      const headers = { ...((msg as { headers?: Record<string, string> }).headers ?? {}), 'Content-Type': CONTENT_TYPE };
      if (lines.length) send({ ...msg, headers, payload: lines.join('\n') });
      done();
    });
  });
};
