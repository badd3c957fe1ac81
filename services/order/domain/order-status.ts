export const OrderStatus = {
  Pending: "PENDING",
  Confirmed: "CONFIRMED",
  Cancelled: "CANCELLED",
} as const;

export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];
