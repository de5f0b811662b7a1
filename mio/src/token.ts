/**
 * mio's `Token(usize)`: the caller's name for a registration, handed back in every event.
 * Stored as the u64 `data` of an epoll_event (and as a u32 slot in the poll backend), so
 * it is a non-negative integer below 2^32.
 */
export type Token = number;

/** The largest valid token. */
export const MAX_TOKEN: Token = 0xffff_ffff;

/** Throws a RangeError unless `token` fits in the u32 every backend stores. */
export function assertToken(token: Token): void {
  if (!Number.isInteger(token) || token < 0 || token > MAX_TOKEN) {
    throw new RangeError(`token must be an integer in [0, 2^32), got ${token}`);
  }
}
