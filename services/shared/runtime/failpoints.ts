/**
 * Named places where the fault suite makes a process crash (OMS_FAILPOINTS): `crashAt(name)`
 * SIGKILLs the process there if the name is armed, and does nothing otherwise. A SIGKILL runs
 * no shutdown hook and flushes nothing, like a power cut or the OOM killer.
 */
export class Failpoints {
  private readonly armed: ReadonlySet<string>;

  constructor(names: readonly string[]) {
    this.armed = new Set(names);
  }

  crashAt(name: string): void {
    if (this.armed.has(name)) process.kill(process.pid, "SIGKILL");
  }
}

/** Between the provider's answer and the transaction that records it. */
export const AFTER_PROVIDER_ANSWER = "payment.after-provider-answer";
