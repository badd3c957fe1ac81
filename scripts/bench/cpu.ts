import { readdirSync, readFileSync } from "node:fs";

/** Linux reports process CPU time in clock ticks of 10 ms (USER_HZ, fixed at 100 on x86-64). */
const MS_PER_TICK = 10;

interface ProcStat {
  ppid: number;
  /** utime + stime of the process (all its threads). */
  own: number;
  /** cutime + cstime: children it has waited for (PostgreSQL's exited backends). */
  reaped: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may contain spaces and parentheses: fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const tick = (index: number) => Number(fields[index]) * MS_PER_TICK;
    return { ppid: Number(fields[1]), own: tick(11) + tick(12), reaped: tick(13) + tick(14) };
  } catch {
    return null;
  }
}

/** CPU milliseconds a process has used so far; with `tree`, its live children's and reaped children's too. */
export function cpuMs(pid: number, { tree = false } = {}): number {
  const root = readStat(pid);
  if (!root) return 0;
  if (!tree) return root.own;
  let total = root.own + root.reaped;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.ppid === pid) total += stat.own + stat.reaped;
  }
  return total;
}

export type CpuSource = () => number;

/** CPU per named process (or process tree) between two points of a run. */
export class CpuMeter {
  private start: Record<string, number> = {};

  constructor(private readonly sources: Record<string, CpuSource>) {}

  begin(): void {
    this.start = this.read();
  }

  /** Milliseconds of CPU each source used since `begin()`. */
  end(): Record<string, number> {
    const now = this.read();
    return Object.fromEntries(
      Object.entries(now).map(([name, ms]) => [name, ms - (this.start[name] ?? 0)]),
    );
  }

  private read(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.sources).map(([name, read]) => [name, read()]));
  }
}

/** This process (the load generator): what it costs is part of what the machine spends. */
export const selfCpuMs: CpuSource = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
