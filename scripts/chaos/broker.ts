import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

// npm run and jest both run from the repository root (the build runs from .build/<hash>/).
const ROOT = process.cwd();
const PID_FILE = path.join(ROOT, ".data/kafka/kafka.pid");

/** SIGKILLs the Kafka broker started by `npm run kafka:start` and waits until it is gone. */
export async function killBroker(): Promise<void> {
  const pid = Number(readFileSync(PID_FILE, "utf8").trim());
  process.kill(pid, "SIGKILL");
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the broker again with the project's script; resolves once it accepts clients. */
export function startBroker(): void {
  execFileSync("bash", [path.join(ROOT, "scripts/kafka-start.sh")], { stdio: "ignore" });
}
