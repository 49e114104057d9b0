// rackpower-influx: device node readings and events in, InfluxDB line protocol out (msg.payload, text), for an
// http request node POSTing to InfluxDB's /write (1.x) or /api/v2/write (2.x). The format is
// src/integrations/influx.ts; nothing is kept between messages.
import type { NodeAPI, NodeDef } from 'node-red';
import { CONTENT_TYPE, eventLine, readingLines } from '../src/integrations/influx';
import { onOutputInput } from './lib/output-node';
import { registerNode } from './lib/register';

const TYPE = 'rackpower-influx';

export = (RED: NodeAPI): void => {
  registerNode<NodeDef>(RED, TYPE, function () {
    onOutputInput(RED, this, {
      // A standby handing its shard back (msg.forget): nothing is kept here, nothing to write.
      forget: () => undefined,
      input: (input, send, msg) => {
        const lines =
          input.type === 'event'
            ? [eventLine(input.event)]
            : readingLines(input.device, input.type === 'reading' ? input.values : { [input.variable]: input.value }, input.timestamp);
        // An empty reading (every value filtered away) writes nothing: InfluxDB refuses an empty body.
        // The http request node sends msg.headers: InfluxDB reads the body as UTF-8 text (names may be any language).
        const headers = { ...((msg as { headers?: Record<string, string> }).headers ?? {}), 'Content-Type': CONTENT_TYPE };
        if (lines.length) send({ ...msg, headers, payload: lines.join('\n') });
      },
    });
  });
};
