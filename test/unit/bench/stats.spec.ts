import { percentiles } from "../../../scripts/bench/stats";

describe("benchmark percentiles", () => {
  it("are nearest-rank values of the sample, whatever its order", () => {
    const sample = Array.from({ length: 200 }, (_, index) => 200 - index); // 200 … 1
    expect(percentiles(sample)).toEqual({ count: 200, p50: 100, p95: 190, p99: 198, max: 200 });
  });

  it("of a single value are that value", () => {
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
  });

  it("of nothing are not numbers, rather than zero", () => {
    expect(Number.isNaN(percentiles([]).p99)).toBe(true);
  });
});
