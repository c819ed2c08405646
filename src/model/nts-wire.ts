/**
 * NTS key establishment as a capture shows it (RFC 8915 §4: TLS 1.3 on TCP 4460): one TCP connection's facts
 * (src/correlate/nts-ke.ts tracks them), plain data a worker thread can post.
 */

/** TLS records seen in clear in one direction (RFC 8446 §5.1 TLSPlaintext header: type, version, length). */
export interface TlsSeen {
  /** Records by content type: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data (encrypted). */
  handshake: number;
  changeCipherSpec: number;
  alert: number;
  applicationData: number;
  /**
   * An alert in clear (before encryption): its frame, level (1 warning, 2 fatal) and description (RFC 8446 §6).
   * With TLS 1.3 every alert after the ServerHello is encrypted: it is an application_data record, not this.
   */
  firstAlert?: { frame: number; level: number; description: number };
  /** The stream could not be followed (a segment missing from the capture, a header cut by snaplen, or not TLS). */
  lost?: 'gap' | 'cut' | 'not-tls';
}

/**
 * What one connection came to, from its TCP and TLS facts alone (whether NTP followed is judged per server,
 * src/observe/nts-ke.ts):
 *   no-answer  SYN(s), nothing back;          refused  RST answering the SYN (nothing listens, or a REJECT rule);
 *   icmp       an ICMP error quoting it;       tls-alert  a TLS alert in clear;
 *   reset      RST after the handshake began (see `reset`);   completed  data both ways and FINs;
 *   open       the capture ended with the connection open or not yet decided.
 */
export type NtsKeConnectionOutcome = 'no-answer' | 'refused' | 'icmp' | 'tls-alert' | 'reset' | 'completed' | 'open';

export interface NtsKeConnection {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  outcome: NtsKeConnectionOutcome;
  firstFrame: number;
  lastFrame: number;
  /** Capture times (s since the epoch) of the first and last frame. */
  firstTime: number;
  lastTime: number;
  /** SYNs from the client (retransmissions count), and whether the server answered with SYN-ACK. */
  syns: number;
  synAck: boolean;
  /** Who sent the first RST, in which frame. */
  reset?: { by: 'client' | 'server'; frame: number };
  /** FINs seen from either side, and the frame of the server's first FIN or RST (what a client's alert may answer). */
  finClient: boolean;
  finServer: boolean;
  serverClosedFrame?: number;
  /** TCP payload octets each way (retransmissions included: what the wire carried). */
  bytesToServer: number;
  bytesToClient: number;
  tlsToServer: TlsSeen;
  tlsToClient: TlsSeen;
  /** The first ICMP error quoting a segment of this connection. */
  icmp?: { frame: number; version: 4 | 6; type: number; code: number; reporter: string };
}

/**
 * One NTS-KE session (client ↔ server:port) as a live view shows it while the capture runs: sent each time a
 * connection of it begins or its outcome changes (src/correlate/nts-ke-live.ts). The final verdict, which also looks
 * at the NTP that followed, is the nts-ke-session observation's (src/observe/nts-ke.ts).
 */
export interface NtsKeSessionUpdate {
  client: string;
  server: string;
  port: number;
  /** Connections so far: chronyd retries key establishment with a new connection each time. */
  connections: number;
  /** The last connection that came to something ('open' or 'no-answer' so far only when none did). */
  outcome: NtsKeConnectionOutcome;
  /** Its RST's sender (refused, reset) and ICMP error (icmp). */
  resetBy?: 'client' | 'server';
  icmp?: { version: 4 | 6; type: number; code: number };
}

/** Every connection tracked in a capture, and how many more the cap turned away (src/correlate/nts-ke.ts). */
export interface NtsKeConnections {
  connections: NtsKeConnection[];
  /** Connections not tracked because MAX_KE_CONNECTIONS were already (their frames are counted, not followed). */
  dropped: number;
  droppedFrames: number;
}

/**
 * NTS-protected NTP on one path (RFC 8915 §5: extension fields in the RFC 7822 layout after the 48-octet header),
 * counted by src/correlate/nts-ef.ts. An authenticated exchange: the request and its reply (matched by origin) both
 * carry an NTS Authenticator and Encrypted Extension Fields (0x0404), and the reply's Unique Identifier (0x0104)
 * echoes the request's (§5.3, §5.6). The AEAD itself cannot be checked without the keys: "authenticated" means the
 * packets are NTS-protected as the RFC lays them out, not that their MAC was verified.
 */
export interface NtsPathCounts {
  /** Requests with an Authenticator (0x0404), and how many of them carried an NTS Cookie (0x0204) and placeholders (0x0304). */
  requests: number;
  cookies: number;
  placeholders: number;
  /** Replies with an Authenticator. */
  replies: number;
  /** Exchanges as above: request and reply authenticated, Unique Identifier echoed. */
  authenticated: number;
  /** Replies to an NTS request whose Unique Identifier differs from the request's, or that lack the Authenticator. */
  mismatched: number;
  /** Datagrams whose extension fields break the RFC 7822 layout (src/ntp/tests.ts checkFormat). */
  malformed: number;
}
