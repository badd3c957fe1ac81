import Validator from "fastest-validator";
import { Errors } from "moleculer";
import { toErrorBody } from "../../../services/api/http-errors";

const NOW = new Date("2025-01-01T10:00:00.000Z");

/** What Moleculer's validator middleware throws for these params: the real fastest-validator list. */
function validationErrorFor(
  schema: Record<string, unknown>,
  params: object,
): Errors.ValidationError {
  const failures = new Validator().compile(schema)(params);
  if (failures === true) throw new Error("the params were expected to be invalid");
  return new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", failures);
}

const orderParams = {
  $$strict: true,
  items: {
    type: "array",
    min: 1,
    items: {
      type: "object",
      strict: true,
      props: { productId: "string", quantity: { type: "number", positive: true }, price: "number" },
    },
  },
};

describe("toErrorBody: Moleculer parameter validation", () => {
  it("is a 400 'Validation failed' with errors keyed by field path", () => {
    const error = validationErrorFor(orderParams, {
      items: [{ productId: "p", quantity: 0, price: "x" }],
    });
    expect(toErrorBody(error, NOW)).toEqual({
      status: 400,
      message: "Validation failed",
      errors: {
        "items[0].quantity": expect.any(String),
        "items[0].price": expect.any(String),
      },
      timestamp: NOW.toISOString(),
    });
  });

  it("a missing field is keyed by its name", () => {
    const body = toErrorBody(validationErrorFor(orderParams, {}), NOW);
    expect(Object.keys(body.errors ?? {})).toEqual(["items"]);
  });

  // fastest-validator lists the forbidden keys in `actual` and the allowed ones in `expected`.
  it("names each unknown key of a strict item as '<path>.<key>': 'is not an allowed field'", () => {
    const error = validationErrorFor(orderParams, {
      items: [{ productId: "p", quantity: 1, price: 1, colour: "red", size: "L" }],
    });
    expect(toErrorBody(error, NOW).errors).toEqual({
      "items[0].colour": "is not an allowed field",
      "items[0].size": "is not an allowed field",
    });
  });

  it("names an unknown top-level key without a prefix", () => {
    const error = validationErrorFor(orderParams, {
      items: [{ productId: "p", quantity: 1, price: 1 }],
      total: 5,
    });
    expect(toErrorBody(error, NOW).errors).toEqual({ total: "is not an allowed field" });
  });

  // Regression: fastest-validator 1.19 reports enumValue's `expected` as the string "A, B".
  it("an enum value is 'must be one of …' the allowed values", () => {
    const error = validationErrorFor(
      { status: { type: "enum", values: ["PENDING", "CONFIRMED"] } },
      { status: "SHIPPED" },
    );
    expect(toErrorBody(error, NOW).errors).toEqual({ status: "must be one of PENDING, CONFIRMED" });
  });

  it("a failure without a field is keyed 'body', and the first message per field wins", () => {
    const error = new Errors.ValidationError("bad", "VALIDATION_ERROR", [
      { type: "object", message: "must be an object" },
      { type: "x", field: "a", message: "first" },
      { type: "y", field: "a", message: "second" },
    ]);
    expect(toErrorBody(error, NOW).errors).toEqual({ body: "must be an object", a: "first" });
  });
});
