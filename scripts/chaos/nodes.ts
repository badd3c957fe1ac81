import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";

/** The built launcher next to this file (the chaos run uses the same build as `npm start`). */
const LAUNCH = path.resolve(__dirname, "../../main.js");
const LOG_DIR = path.join(process.cwd(), ".data/chaos/logs");

export type Service = "api" | "order" | "payment" | "saga";

/**
 * One node of the distributed topology, as `npm run node -- <service> --instance <n>` runs it,
 * which can be SIGKILLed and started again under the same id. Its output is appended to
 * .data/chaos/logs/<id>.log across restarts.
 */
export class ChaosNode {
  private child: ChildProcess | undefined;
  kills = 0;

  constructor(
    readonly service: Service,
    readonly instance: number,
    private readonly env: Record<string, string>,
  ) {}

  get id(): string {
    return `chaos-${this.service}-${this.instance}`;
  }

  /** Starts the process; resolves when it logs that it is ready (ms it took). */
  async start(timeoutMs = 60_000): Promise<number> {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(path.join(LOG_DIR, `${this.id}.log`), { flags: "a" });
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [LAUNCH, this.service, "--instance", String(this.instance)],
      {
        // Eight nodes on one machine: each takes a free metrics port.
        env: { ...process.env, METRICS_PORT: "0", ...this.env, NODE_ID: this.id },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.id} not ready after ${timeoutMs} ms; see ${LOG_DIR}`)),
        timeoutMs,
      );
      child.stdout!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes(`Node ${this.id} ready`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.id} exited with ${code} while starting; see ${LOG_DIR}`));
      });
    });
    return Date.now() - started;
  }

  /** SIGKILL: no shutdown hook runs, like a crashed container. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    this.kills += 1;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
