/** `host:port`, with an IPv6 host in brackets so the port stays unambiguous. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits `host:port` (or `[v6]:port`); throws a TypeError saying what form is expected. */
export function parseAddress(address: string): { host: string; port: number } {
  // A CR/LF or space would otherwise ride along in the host (and into a Host header).
  for (let unprintable = 0; unprintable < address.length; unprintable++) {
    const c = address.charCodeAt(unprintable);
    if (c > 0x20 && c !== 0x7f) continue;
    throw new TypeError(
      `invalid delayserver address ${JSON.stringify(address)}: it contains ${JSON.stringify(address[unprintable])} at ${unprintable}; expected host:port, e.g. 127.0.0.1:8080`,
    );
  }
  const colon = address.lastIndexOf(":");
  const rawHost = colon > 0 ? address.slice(0, colon) : "";
  const rawPort = colon > 0 ? address.slice(colon + 1) : "";
  const host = rawHost.startsWith("[") && rawHost.endsWith("]") ? rawHost.slice(1, -1) : rawHost;
  const port = /^[0-9]{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (host === "" || !(port >= 0 && port <= 65_535)) {
    throw new TypeError(
      `invalid delayserver address ${JSON.stringify(address)}: expected host:port, e.g. 127.0.0.1:8080`,
    );
  }
  return { host, port };
}
