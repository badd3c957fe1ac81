/** An ISO-4217 currency code, as every boundary checks it: configuration, messages, money. */
export const ISO_CURRENCY_CODE = /^[A-Z]{3}$/;
