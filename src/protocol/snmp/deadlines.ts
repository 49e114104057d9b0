// The last-resort deadlines of every SNMP request in the process, kept by one timer instead of one each: a request
// that gets its answer (nearly all of them) is only linked into a list and out again, where a timer per request cost
// a setTimeout and a clearTimeout on top of net-snmp's own request timer. The sweep runs only while some request is
// in flight, so an idle or closed client leaves no timer behind. A list rather than a Set: a process-wide Set that
// every request enters and leaves churns its hash table, and tripled the GC time per request in a measurement.

/** Something that must end by `at` (ms epoch) unless something else ends it first. `prev`/`next`: the sweep's. */
export interface Deadline {
  readonly at: number;
  expire(): void;
  prev: Deadline | undefined;
  next: Deadline | undefined;
}

/** How often the sweep looks: a deadline ends within this long after its `at`. */
export const DEADLINE_SWEEP_MS = 250;

let head: Deadline | undefined;
let tail: Deadline | undefined;
let sweeper: NodeJS.Timeout | undefined;

export function watchDeadline(d: Deadline): void {
  d.prev = tail;
  d.next = undefined;
  if (tail) tail.next = d;
  else head = d;
  tail = d;
  sweeper ??= setInterval(sweep, DEADLINE_SWEEP_MS);
}

/** Forgets `d` (nothing happens when it is not watched). */
export function unwatchDeadline(d: Deadline): void {
  if (d.prev) d.prev.next = d.next;
  else if (head === d) head = d.next;
  else return;
  if (d.next) d.next.prev = d.prev;
  else tail = d.prev;
  d.prev = undefined;
  d.next = undefined;
  if (!head) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

function sweep(): void {
  const now = Date.now();
  for (let d = head; d; ) {
    const next = d.next;
    if (d.at <= now) {
      unwatchDeadline(d);
      d.expire();
    }
    d = next;
  }
}
