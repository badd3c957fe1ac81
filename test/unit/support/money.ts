import { Money } from "../../../services/shared/domain/money.value-object";
import { unwrap } from "./result";

export const inr = (minor: number): Money => unwrap(Money.create(minor, "INR"));
export const usd = (minor: number): Money => unwrap(Money.create(minor, "USD"));
