import pg from "pg";
import { ConnectionRefusedError, DatabaseError as SequelizeDatabaseError } from "sequelize";
import {
  asDatabaseFault,
  DatabaseConnectionError,
} from "../../../services/shared/db/database-faults";
import { classifyFailure } from "../../../services/shared/messaging/failure-class";
import { MessageRejectedError } from "../../../services/shared/messaging/message-rejected.error";

/** An error as the server sends it: node-postgres' DatabaseError with a SQLSTATE. */
const sqlState = (code: string) => {
  const error = new pg.DatabaseError(`server said ${code}`, 0, "error");
  error.code = code;
  return error;
};
const socketError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("classifyFailure", () => {
  it.each([
    ["a refused connection, from SqlDatabase", asDatabaseFault(socketError("ECONNREFUSED"))],
    ["a reset connection, from SqlDatabase", asDatabaseFault(socketError("ECONNRESET"))],
    [
      "no pooled connection in time",
      asDatabaseFault(new Error("timeout exceeded when trying to connect")),
    ],
    [
      "a connection that died mid-statement",
      asDatabaseFault(new Error("Connection terminated unexpectedly")),
    ],
    ["a server shutting down (57P01)", sqlState("57P01")],
    ["too many connections (53300)", sqlState("53300")],
    ["a deadlock (40P01)", sqlState("40P01")],
    ["a serialization failure (40001)", sqlState("40001")],
    ["a lock timeout (55P03)", sqlState("55P03")],
    ["a statement timeout (57014)", sqlState("57014")],
    ["a read-only server after a failover (25006)", sqlState("25006")],
    ["a disk full (53100)", sqlState("53100")],
    ["Sequelize's refused connection", new ConnectionRefusedError(new Error("refused"))],
    ["a deadlock through Sequelize", new SequelizeDatabaseError(sqlState("40P01") as never)],
  ])("%s is transient: retried in place", (_name, error) => {
    expect(classifyFailure(error)).toBe("transient");
  });

  it("a handler's refusal is rejected: dead-lettered at once", () => {
    expect(classifyFailure(new MessageRejectedError("ILLEGAL", "no"))).toBe("rejected");
  });

  it.each([
    ["a unique violation (23505)", sqlState("23505")],
    ["a protocol violation (08P01), which is a bug", sqlState("08P01")],
    ["a bug", new TypeError("cannot read properties of undefined")],
    // Socket errors from anything but our database (a payment provider, an HTTP call) are not
    // "the database is down": retrying them forever would block the partition.
    ["a provider's ETIMEDOUT", socketError("ETIMEDOUT")],
    ["a provider's ECONNRESET", socketError("ECONNRESET")],
    ["a message that only mentions a timeout", new Error("payment timeout exceeded")],
    ["nothing", undefined],
  ])("%s failed: bounded retries, then dead-lettered", (_name, error) => {
    expect(classifyFailure(error)).toBe("failed");
  });
});

describe("asDatabaseFault", () => {
  it("wraps node-postgres' connection failures and keeps the cause", () => {
    const cause = socketError("ECONNREFUSED");
    const wrapped = asDatabaseFault(cause);
    expect(wrapped).toBeInstanceOf(DatabaseConnectionError);
    expect((wrapped as Error).cause).toBe(cause);
  });

  it("leaves the server's errors and anything else as they are", () => {
    const server = sqlState("23505");
    const bug = new TypeError("x");
    expect(asDatabaseFault(server)).toBe(server);
    expect(asDatabaseFault(bug)).toBe(bug);
  });
});
