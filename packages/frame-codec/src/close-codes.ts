// RFC 6455 7.4: close status codes, and which of them may appear on the wire.

/** Registered close status codes (RFC 6455 7.4.1 and the IANA registry). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Never on the wire: a Close frame without a status code. */
  NoStatus: 1005,
  /** Never on the wire: the connection ended without a Close frame. */
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  /** Never on the wire: the TLS handshake failed. */
  TlsHandshake: 1015,
} as const;

/**
 * Whether `code` may be carried by a Close frame, sent or received:
 * 1000-1003, 1007-1014 and 3000-4999.
 *
 * RFC 6455 7.4.1: 1005, 1006 and 1015 "MUST NOT be set as a status code in a
 * Close control frame"; 7.4.2: 0-999 are not used, 1000-2999 are reserved for
 * this protocol and its registered extensions (1004 is reserved, 1016-2999
 * unassigned), 3000-4999 are for libraries, frameworks and applications.
 */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

/** The longest reason a Close frame can carry: 125 bytes minus the 2-byte code. */
export const MAX_CLOSE_REASON = 123;
