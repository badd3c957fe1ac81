/**
 * Background work that runs every `intervalMs` and whenever it is woken, never twice at once: a
 * wake during a run makes it run once more right after. `stop` waits for the run in progress.
 * The work handles its own errors (a failed run is simply tried again next time).
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private wokenWhileRunning = false;

  constructor(
    private readonly intervalMs: number,
    private readonly work: () => Promise<void>,
  ) {}

  /** Starts the timer; `now` also runs the work at once. */
  start({ now = false } = {}): void {
    this.timer = setInterval(() => this.wake(), this.intervalMs);
    this.timer.unref();
    if (now) this.wake();
  }

  wake(): void {
    if (this.running) {
      this.wokenWhileRunning = true;
      return;
    }
    this.running = this.work().finally(() => {
      this.running = undefined;
      if (this.wokenWhileRunning && this.timer) {
        this.wokenWhileRunning = false;
        this.wake();
      }
    });
  }

  /** False once stopped: a long run checks it between batches. */
  get active(): boolean {
    return this.timer !== undefined;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * A reading taken every `intervalMs` once started, the first one at once (for gauges): a reading
 * that fails goes to `onFailure`, and the next one is taken on time.
 */
export class PeriodicSampler {
  private readonly task: PeriodicTask;

  constructor(intervalMs: number, sample: () => Promise<void>, onFailure: (error: Error) => void) {
    this.task = new PeriodicTask(intervalMs, () => sample().catch(onFailure));
  }

  start(): void {
    this.task.start({ now: true });
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
