import { describe, expect, it } from "vitest";
import { AddrParseError, parseSocketAddr, TcpListener, TcpStream } from "../dist/index.js";

// One parser for every address mio is given: connect, bind, and the http package's
// DELAYSERVER check all say the same thing about the same bad address.

describe("parseSocketAddr", () => {
  it("takes IPv4 and localhost, and normalises the octets", () => {
    expect(parseSocketAddr("127.0.0.1:8080")).toEqual({
      host: "127.0.0.1",
      port: 8080,
      ip: [127, 0, 0, 1],
    });
    expect(parseSocketAddr("127.000.0.01:80").host).toBe("127.0.0.1");
    expect(parseSocketAddr("localhost:80")).toEqual({
      host: "localhost",
      port: 80,
      ip: [127, 0, 0, 1],
    });
    expect(parseSocketAddr({ host: "10.0.0.2", port: 1 }).ip).toEqual([10, 0, 0, 2]);
  });

  it.each([
    ["127.0.0.1:19110\r\n", "it contains CR at 15"],
    ["127.0.0.1\n:80", "it contains LF at 9"],
    [" 127.0.0.1:80", "it contains a space at 0"],
    ["127.0.0.1:80\u00e9", "it contains U+00e9 at 12"],
    ["127.0.0.1", "there is no port"],
    ["127.0.0.1:0x4AFF", 'the port "0x4AFF" is not a decimal number'],
    ["127.0.0.1:", 'the port "" is not a decimal number'],
    ["127.0.0.1:0", "the port 0 is not between 1 and 65535"],
    ["127.0.0.1:65536", "the port 65536 is not between 1 and 65535"],
    ["example.com:80", 'the host "example.com" is not an IPv4 address or localhost'],
    ["256.0.0.1:80", 'the host "256.0.0.1" is not an IPv4 address'],
    ["1.2.3:80", 'the host "1.2.3" is not an IPv4 address'],
  ])("refuses %j: %s", (address, reason) => {
    let caught: unknown;
    try {
      parseSocketAddr(address);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AddrParseError);
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as AddrParseError).reason).toContain(reason);
    expect(String(caught)).toContain(JSON.stringify(address));
  });

  it("is the parser connect and bind use: the same error, port 0 only for bind", () => {
    expect(() => TcpStream.connect("127.0.0.1:0x50")).toThrow(AddrParseError);
    expect(() => TcpStream.connect("127.0.0.1:0")).toThrow(/not between 1 and 65535/);
    expect(() => TcpListener.bind("127.0.0.1:65536")).toThrow(/not between 0 and 65535/);
    const listener = TcpListener.bind("127.0.0.1:0");
    listener.close();
  });
});
