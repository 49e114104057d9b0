// How many varbinds one request may carry, learned from the agent. A refusal (tooBig, or the genErr some agents send
// for an oversize GETBULK) halves it; answers grow it back. Two kinds of refusal are told apart:
// - a size the agent answered recently (within the last 32 answers) refused now is a busy agent, not a limit: that
//   request is retried at half size and the size doubles back on the next answers, so a burst leaves no trace;
// - a size never answered is a limit: growth stays under the smallest such size, so the agent's real limit is found
//   and kept, and that bound is tested again now and then (after 16 answers, then 32, 64 ... while it holds).

const FIRST_PROBE_AFTER = 16;
const MAX_PROBE_AFTER = 1024;
/** Answers after which the largest size answered is no longer evidence that the agent takes it. */
const MEMORY = 32;

export class AdaptiveBatch {
  private size: number;
  /** Smallest size refused as a limit since the last successful probe. */
  private ceiling = Infinity;
  /** Largest size answered lately, and the answer count when it was. */
  private best = 0;
  private bestAt = 0;
  private answers = 0;
  private answersSinceLimit = 0;
  private probeAfter = FIRST_PROBE_AFTER;
  private probing = false;

  constructor(private readonly max: number) {
    this.size = max;
  }

  /** Varbinds a request may carry now. */
  get value(): number {
    return this.size;
  }

  /** A request of `n` varbinds was refused as too big. */
  refused(n: number): void {
    const half = Math.max(1, Math.floor(n / 2));
    if (n <= this.best && !this.probing) {
      this.size = Math.min(this.size, half);
      return;
    }
    if (this.probing) this.probeAfter = Math.min(MAX_PROBE_AFTER, this.probeAfter * 2);
    this.probing = false;
    this.ceiling = Math.min(this.ceiling, n);
    this.size = Math.max(half, this.best < this.ceiling ? this.best : 1);
    this.answersSinceLimit = 0;
  }

  /**
   * A request of `n` varbinds was answered; `limited` when the batch size cut it (more was to be asked): only such a
   * request says anything about a larger one.
   */
  answered(n: number, limited: boolean): void {
    this.answers++;
    this.answersSinceLimit++;
    if (n >= this.best || this.answers - this.bestAt > MEMORY) {
      this.best = n;
      this.bestAt = this.answers;
    }
    if (this.probing) {
      // The bound held no more: the agent answers larger requests again.
      this.probing = false;
      this.ceiling = Infinity;
      this.probeAfter = FIRST_PROBE_AFTER;
    }
    if (!limited || this.size >= this.max) return;
    if (this.size * 2 < this.ceiling) this.size = Math.min(this.max, this.size * 2);
    else if (this.size + 1 < this.ceiling) this.size = Math.floor((this.size + this.ceiling) / 2);
    else if (this.answersSinceLimit >= this.probeAfter) {
      this.probing = true;
      this.size = Math.min(this.max, this.ceiling);
    }
  }
}
