/**
 * Notices when the process stops turning: a timer that should fire every `tickMs` and fires
 * late by more than `maxStallMs` means the event loop was blocked (a runaway computation, a
 * synchronous call that hangs, a GC storm) and nothing else ran meanwhile: no consumer, no
 * relay, no request. Liveness fails for `windowMs` after such a stall, so an orchestrator
 * restarts a process that keeps wedging instead of sending it traffic.
 */
export class EventLoopWatch {
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private lastStall: { at: number; ms: number } | undefined;

  constructor(
    private readonly options: { tickMs: number; maxStallMs: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.lastTick = this.now();
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Called every `tickMs`; public so a test can drive it with its own clock. */
  tick(): void {
    const now = this.now();
    const late = now - this.lastTick - this.options.tickMs;
    this.lastTick = now;
    if (late > this.options.maxStallMs) this.lastStall = { at: now, ms: late };
  }

  /** The stall that makes the process unhealthy now, if any. */
  recentStall(): { ms: number; secondsAgo: number } | null {
    if (!this.lastStall) return null;
    const age = this.now() - this.lastStall.at;
    if (age > this.options.windowMs) return null;
    return { ms: this.lastStall.ms, secondsAgo: Math.round(age / 1000) };
  }
}
