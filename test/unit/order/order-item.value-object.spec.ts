import { OrderItem } from "../../../services/order/domain/order-item.value-object";
import { MAX_QUANTITY_PER_LINE } from "../../../services/order/domain/quantity.value-object";
import { inr } from "../support/money";
import { unwrap, unwrapError } from "../support/result";

const create = (productId: string, quantity: number, minor = 100) =>
  OrderItem.create({ productId, quantity, unitPrice: inr(minor) });

describe("OrderItem.create", () => {
  it("keeps the product, quantity and unit price, and totals the line", () => {
    const line = unwrap(create("p-1", 3, 49950));
    expect(line.productId).toBe("p-1");
    expect(line.quantity.value).toBe(3);
    expect(line.lineTotal().toDecimalString()).toBe("1498.50");
  });

  it.each(["", "   "])("refuses the blank productId %p with INVALID_PRODUCT", (productId) => {
    expect(unwrapError(create(productId, 1)).code).toBe("INVALID_PRODUCT");
  });

  it.each([0, -1, 1.5, MAX_QUANTITY_PER_LINE + 1, Number.NaN])(
    "refuses quantity %p with INVALID_QUANTITY",
    (quantity) => {
      expect(unwrapError(create("p-1", quantity)).code).toBe("INVALID_QUANTITY");
    },
  );

  it(`accepts the largest quantity, ${MAX_QUANTITY_PER_LINE}`, () => {
    expect(unwrap(create("p-1", MAX_QUANTITY_PER_LINE)).quantity.value).toBe(MAX_QUANTITY_PER_LINE);
  });

  it("refuses a zero price with INVALID_PRICE", () => {
    expect(unwrapError(create("p-1", 1, 0)).code).toBe("INVALID_PRICE");
  });
});
