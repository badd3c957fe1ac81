import { ConnectionRefusedError } from "sequelize";
import { isDatabaseUnavailable } from "../../../services/shared/db/transient-faults";

const withCode = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a refused connection (node-postgres)", withCode("ECONNREFUSED")],
    ["a server shutting down (57P01)", withCode("57P01")],
    ["too many connections (53300)", withCode("53300")],
    ["no connection from the pool in time", new Error("timeout exceeded when trying to connect")],
    ["a connection that died mid-statement", new Error("Connection terminated unexpectedly")],
    [
      "a client left broken by that",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    ["Sequelize's refused connection", new ConnectionRefusedError(new Error("refused"))],
  ])("is true for %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation (23505)", withCode("23505")],
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["a message that only mentions a timeout", new Error("payment timeout exceeded")],
    ["nothing", undefined],
  ])("is false for %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
