/** Where the CLI listens by default: loopback only, so nothing outside this machine can reach it. */
export const DEFAULT_HOST = "127.0.0.1";

/** The book's port; the stage programs look for the server here unless DELAYSERVER says otherwise. */
export const DEFAULT_PORT = 8080;

/** The default longest delay a request may ask for: one minute. */
export const DEFAULT_MAX_DELAY_MS = 60_000;

/** The longest delay setTimeout can wait (2^31 - 1 ms); a larger one would fire after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The longest request-target (path + query) served; longer gets 414. It sits well below
 * node:http's 16 KiB header limit (which answers 431), so every URL between the two gets 414.
 */
export const MAX_TARGET_LENGTH = 8 * 1024;

/** Where `ensureDelayServer` looks when neither an argument nor DELAYSERVER names a server. */
export const DEFAULT_ADDRESS = `${DEFAULT_HOST}:${DEFAULT_PORT}`;
