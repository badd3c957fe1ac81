import { createHash } from "node:crypto";

/**
 * One payment per order, so its id is derived from the orderId (a name-based, v5-style UUID).
 * A retry after a crash between the provider's charge and our commit then asks the provider
 * again under the same id, and a provider that dedupes by it charges only once.
 */
export function paymentIdFor(orderId: string): string {
  const hash = createHash("sha1").update(`oms:payment:${orderId}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
