import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { OMS_METRICS } from "../../../services/shared/runtime/oms-metrics";
import { installed } from "../../support/installed";

/**
 * The alert rules an operator deploys (deploy/prometheus/alerts.yml): valid, each one tested by
 * promtool (fires when it should, quiet when healthy), and naming only metrics the code exports.
 */
const DIR = path.resolve(__dirname, "../../../deploy/prometheus");
const rules = readFileSync(path.join(DIR, "alerts.yml"), "utf8");
const tests = readFileSync(path.join(DIR, "alerts.test.yml"), "utf8");

const exported = new Set(
  Object.values(OMS_METRICS).map((metric) => metric.name.replace(/\./g, "_")),
);

describe("alert rules", () => {
  it("every alert has a promtool test", () => {
    const alerts = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((match) => match[1]);
    const tested = new Set([...tests.matchAll(/alertname: (\w+)$/gm)].map((match) => match[1]));
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    expect(alerts.filter((alert) => !tested.has(alert))).toEqual([]);
  });

  it("names only metrics the OMS exports", () => {
    const named = new Set([...rules.matchAll(/\b(oms_[a-z_]+)/g)].map((match) => match[1]!));
    const unknown = [...named].filter(
      (name) => !exported.has(name) && !exported.has(name.replace(/_bucket$/, "")),
    );
    expect(named.size).toBeGreaterThan(5);
    expect(unknown).toEqual([]);
  });

  const hasPromtool = installed("promtool");
  const withPromtool = hasPromtool ? it : it.skip;
  if (!hasPromtool)
    console.warn(
      "promtool not found: the promtool checks are skipped (apt-get install prometheus to run them)",
    );

  withPromtool("pass promtool check rules and promtool test rules", () => {
    const run = (args: string[]) =>
      execFileSync("promtool", args, { cwd: DIR, encoding: "utf8", stdio: "pipe" });
    expect(run(["check", "rules", "alerts.yml"])).toMatch(/SUCCESS: \d+ rules found/);
    expect(run(["test", "rules", "alerts.test.yml"])).toMatch(/SUCCESS/);
  });
});
