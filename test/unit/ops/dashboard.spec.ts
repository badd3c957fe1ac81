import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../../services/shared/config/config";
import { OMS_METRICS } from "../../../services/shared/runtime/oms-metrics";

/**
 * The Grafana dashboard and the Prometheus configuration docker-compose.yml provisions: they
 * parse, and every query names metrics the code exports, on the port the nodes serve them.
 */
const DEPLOY = path.resolve(__dirname, "../../../deploy");
const read = (file: string) => readFileSync(path.join(DEPLOY, file), "utf8");

interface Panel {
  title: string;
  datasource: { uid: string };
  targets: Array<{ expr: string }>;
}

const dashboard = JSON.parse(read("grafana/dashboards/oms.json")) as { panels: Panel[] };
const exported = new Set(
  Object.values(OMS_METRICS).map((metric) => metric.name.replace(/\./g, "_")),
);
const metricsIn = (expr: string) =>
  [...expr.matchAll(/\b(oms_[a-z_]+)/g)].map((match) => match[1]!.replace(/_bucket$/, ""));

describe("the Grafana dashboard", () => {
  it("has the panels an operator looks at first", () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Orders per second",
        "Saga duration (start → final)",
        "Outbox backlog",
        "Consumer lag",
        "Dead letters",
      ]),
    );
  });

  it.each(dashboard.panels.map((panel) => [panel.title, panel]))(
    "%s queries only metrics the code exports",
    (_title, panel) => {
      const named = (panel as Panel).targets.flatMap((target) => metricsIn(target.expr));
      expect(named.length).toBeGreaterThan(0);
      expect(named.filter((name) => !exported.has(name))).toEqual([]);
    },
  );

  it("reads from the provisioned Prometheus data source", () => {
    const uid = /uid: (\S+)/.exec(read("grafana/provisioning/datasources/prometheus.yml"))![1];
    expect(new Set(dashboard.panels.map((panel) => panel.datasource.uid))).toEqual(new Set([uid]));
  });
});

describe("the Prometheus configuration of docker-compose.yml", () => {
  it("scrapes every service on the nodes' default metrics port", () => {
    const config = read("prometheus/prometheus.yml");
    expect(config).toMatch(/names: \[api, order, payment, saga\]/);
    expect(config).toContain(`port: ${loadConfig({}).metrics.port}`);
  });
});
