import { Money } from "../domain/money.value-object";

/**
 * An amount read back from a BIGINT minor-units column and its currency. The database only holds
 * what the domain accepted, so an invalid one is corruption: thrown, never a Result.
 */
export function storedMoney(minor: number | string, currency: string, owner: string): Money {
  const money = Money.create(Number(minor), currency);
  if (!money.ok)
    throw new Error(
      `${owner} has an invalid stored amount ${minor} ${currency}: ${money.error.message}`,
    );
  return money.value;
}
