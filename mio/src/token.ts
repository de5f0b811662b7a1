/**
 * mio's `Token(usize)`: the caller's name for a registration, handed back in every event.
 * Stored as the u64 `data` of an epoll_event (and as a u32 slot in the poll backend), so
 * it is a non-negative integer below 2^32.
 */
declare const tokenBrand: unique symbol;

/**
 * A number branded as a token, so that a token and an `Interest` cannot be passed in each
 * other's place: make one with `Token(n)`. It is still a number (an index, a map key).
 */
export type Token = number & { readonly [tokenBrand]: "Token" };

/** The largest valid token. */
export const MAX_TOKEN = 0xffff_ffff as Token;

/** Makes a token of `value`, as mio's `Token(n)`; throws a RangeError unless it fits a u32. */
export function Token(value: number): Token {
  assertToken(value);
  return value as Token;
}

/** @internal Throws a RangeError unless `token` fits in the u32 every backend stores. */
export function assertToken(token: number): void {
  if (!Number.isInteger(token) || token < 0 || token > MAX_TOKEN) {
    throw new RangeError(
      `token must be an integer in [0, 2^32), got ${token}: make one with Token(n)`,
    );
  }
}
