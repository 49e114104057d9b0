// A running device node without Node-RED: poller output → messages on the two outputs, node status and
// rate-limited errors; input commands → the poller. The Node-RED glue (device-node.ts) only builds and wires it.
import type { NodeMessage, NodeStatus } from 'node-red';
import type { ReadingTracker } from '../../src/battery/tracker';
import type { RackpowerError } from '../../src/errors';
import type { MessageBuilder } from '../../src/normalize/messages';
import type { DevicePoller } from '../../src/polling/poller';
import type { DeviceKind } from '../../src/types';
import type { Command } from './commands';
import { FailureLog } from './failures';
import { reportError } from './report-error';
import { failureStatus, readingStatus, stateStatus, type Translate } from './status';

/** What the controller needs of its Node-RED node. */
export interface NodeOutput {
  send(msg: (NodeMessage | NodeMessage[] | null)[]): void;
  status(status: NodeStatus): void;
  error(err: Error, msg: NodeMessage): void;
}

export { reportError };

export class DeviceController {
  private readonly failures = new FailureLog();
  private closed = false;
  /** The status on display: unchanged ones are not re-sent to every open editor on each poll. */
  private shown = '';
  /** The latest status before the warning is added to it. */
  private latest: NodeStatus | undefined;
  /** A setting problem that does not stop polling (a name another device node uses), kept in view. */
  private warning: string | undefined;

  constructor(
    kind: DeviceKind,
    private readonly poller: DevicePoller,
    builder: MessageBuilder,
    private readonly out: NodeOutput,
    private readonly t: Translate,
    /** Gives the shared connection back to its config node. */
    private readonly release: () => Promise<void>,
    /** Adds what rackpower measures itself (energy counters, battery truth) to each reading. */
    private readonly tracker?: ReadingTracker,
  ) {
    poller.on('reading', (raw) => {
      if (this.closed) return;
      this.failures.succeeded();
      const { reading, events, learning } = tracker ? tracker.observe(raw) : { reading: raw, events: [], learning: undefined };
      this.show(readingStatus(kind, reading.values, t, learning));
      // Spread: the builder's interfaces lack NodeMessage's index signature; a shallow copy types as plain data.
      const messages = builder.reading(reading).map((m) => ({ ...m }));
      if (messages.length) out.send([messages, null]);
      for (const event of events) out.send([null, { ...builder.event(event) }]);
    });
    poller.on('event', (event) => {
      if (!this.closed) out.send([null, { ...builder.event(event) }]);
    });
    poller.on('failure', (err) => this.failed(err));
    poller.on('state', (state) => {
      const status = this.closed ? undefined : stateStatus(state, this.failures.failing, t);
      if (status) this.show(status);
    });
  }

  start(): void {
    this.poller.start();
  }

  /** `msg`: the input message, handed to a Catch node with a refusal. */
  command(cmd: Command, msg: NodeMessage = {}): void {
    switch (cmd.action) {
      case 'refuse':
        // Nothing changes and nothing is polled: a flow that asks for the impossible learns it from a Catch node.
        reportError(this.out, { code: 'CONFIG', message: cmd.reason }, msg);
        return;
      case 'pause':
        this.poller.pause();
        return;
      case 'resume':
        this.poller.resume();
        return;
      case 'battery-replaced':
        this.tracker?.batteryReplaced();
        this.poller.pollNow();
        return;
      case 'poll':
        if (cmd.intervalS !== undefined) this.poller.setIntervalMs(cmd.intervalS * 1000);
        // Paused means silent until resumed: the poller ignores pollNow() then.
        this.poller.pollNow();
    }
  }

  /** Stops polling (waiting for a poll in flight), then releases the connection. */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.poller.stop();
      this.tracker?.flush();
    } finally {
      await this.release();
    }
  }

  private failed(err: RackpowerError): void {
    if (this.closed) return;
    this.show(failureStatus(err, this.t));
    if (this.failures.failed(err.code)) reportError(this.out, err, { device: this.poller.device() });
  }

  /** Shows `text` with every status until cleared (undefined). */
  setWarning(text: string | undefined): void {
    if (this.closed || text === this.warning) return;
    this.warning = text;
    this.show(this.latest ?? { fill: 'yellow', shape: 'ring', text: '' });
  }

  private show(plain: NodeStatus): void {
    this.latest = plain;
    const status: NodeStatus = this.warning
      ? { fill: plain.fill === 'red' ? 'red' : 'yellow', shape: 'ring', text: [this.warning, plain.text].filter(Boolean).join(' · ') }
      : plain;
    const key = JSON.stringify(status);
    if (key === this.shown) return;
    this.shown = key;
    this.out.status(status);
  }
}
