import { execFileSync } from "node:child_process";

/** Whether `command` runs on this machine (tests that need a system tool skip without it). */
export function installed(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
