// rackpower-influx: device node readings and events in, InfluxDB line protocol out (msg.payload, text), for an
// http request node POSTing to InfluxDB's /write (1.x) or /api/v2/write (2.x). The format is
// src/integrations/influx.ts; nothing is kept between messages.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { eventLine, readingLines } from '../src/integrations/influx';
import { parseInput } from '../src/integrations/input';

const TYPE = 'rackpower-influx';

export = (RED: NodeAPI): void => {
  RED.nodes.registerType(TYPE, function (this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    this.on('input', (msg, send, done) => {
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
      if (lines.length) send({ ...msg, payload: lines.join('\n') });
      done();
    });
  });
};
