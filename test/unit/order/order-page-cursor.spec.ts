import {
  decodeCursor,
  encodeCursor,
} from "../../../services/order/infrastructure/order-page-cursor";

/** The cursor of `GET /orders`: opaque to clients, and only ever what the API itself wrote. */
describe("order page cursor", () => {
  const place = {
    createdAt: new Date("2026-11-27T00:15:03.271Z"),
    id: "7d2c8a57-5f3e-4c1a-9a59-5d1f2f0e9b11",
  };

  it("reads back what it wrote", () => {
    expect(decodeCursor(encodeCursor(place))).toEqual(place);
  });

  it.each([
    ["empty", ""],
    ["not base64", "!!!"],
    ["no id", Buffer.from("2026-11-27T00:15:03.271Z").toString("base64url")],
    ["an id that is not a uuid", Buffer.from("2026-11-27T00:15:03.271Z|42").toString("base64url")],
    ["a date that is not one", Buffer.from(`yesterday|${place.id}`).toString("base64url")],
    [
      "year 0, which PostgreSQL refuses",
      Buffer.from(`0000-12-31T23:59:59.999Z|${place.id}`).toString("base64url"),
    ],
    [
      "another spelling of the same date",
      Buffer.from(`2026-11-27T00:15:03.271+00:00|${place.id}`).toString("base64url"),
    ],
    ["a third field", Buffer.from(`2026-11-27T00:15:03.271Z|${place.id}|x`).toString("base64url")],
  ])("refuses %s", (_case, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
