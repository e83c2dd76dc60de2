// Incremental UTF-8 validation (RFC 3629), as RFC 6455 8.1 requires for text
// messages and close reasons: the first invalid byte is reported at once,
// even when a code point is split across frames or chunks.

/** ASCII runs of 16 bytes followed by at least this many are scanned 8 bytes at a time. */
const WORD_SCAN = 64;

/**
 * Validates UTF-8 piece by piece. It remembers an unfinished code point (the
 * number of continuation bytes still due and the range the next one must fall
 * in, which rules out overlong forms, surrogates and code points above
 * U+10FFFF), so pieces may be split anywhere.
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current code point. */
  #need = 0;
  /** The range the next continuation byte must fall in. */
  #lo = 0x80;
  #hi = 0xbf;

  /** Whether the bytes so far end inside a code point. */
  get pending(): boolean {
    return this.#need !== 0;
  }

  /** The state, for `restore()`. */
  save(): number {
    return this.#need | (this.#lo << 8) | (this.#hi << 16);
  }

  /** Returns to a state that `save()` returned. */
  restore(state: number): void {
    this.#need = state & 0xff;
    this.#lo = (state >>> 8) & 0xff;
    this.#hi = state >>> 16;
  }

  /** Forgets any unfinished code point. */
  reset(): void {
    this.#need = 0;
    this.#lo = 0x80;
    this.#hi = 0xbf;
  }

  /**
   * Checks `bytes[start, end)` as the continuation of everything checked
   * since the last reset. Returns the index of the first invalid byte, or -1
   * if there is none (the piece may still end inside a code point: see
   * `pending`). After an invalid byte the state is as it was before the call.
   */
  check(bytes: Uint8Array, start = 0, end = bytes.length): number {
    let i = start;
    let need = this.#need;
    let lo = this.#lo;
    let hi = this.#hi;
    let words: Uint32Array | undefined;
    let wordsBase = 0;
    const base = bytes.byteOffset;
    while (i < end) {
      let c = bytes[i]!;
      if (need !== 0) {
        if (c < lo || c > hi) return i;
        lo = 0x80;
        hi = 0xbf;
        need--;
        i++;
        continue;
      }
      if (c < 0x80) {
        // A run of ASCII: byte by byte for a while (short runs are the rule in mixed text), then
        // words if the run goes on.
        const stop = i + 16 < end ? i + 16 : end;
        i++;
        while (i < stop && bytes[i]! < 0x80) i++;
        if (i === stop && end - i >= WORD_SCAN) {
          // Align, then test two 32-bit words per step for any high bit.
          while (((base + i) & 3) !== 0 && bytes[i]! < 0x80) i++;
          if (((base + i) & 3) === 0) {
            if (words === undefined) {
              wordsBase = i;
              words = new Uint32Array(bytes.buffer, base + i, (end - i) >>> 2);
            }
            let j = (i - wordsBase) >>> 2;
            const last = words.length - 1;
            while (j < last && ((words[j]! | words[j + 1]!) & 0x80808080) === 0) j += 2;
            i = wordsBase + (j << 2);
          }
        }
        while (i < end && bytes[i]! < 0x80) i++;
        continue;
      }
      // A lead byte. C0, C1 and F5-FF never appear; E0, ED, F0 and F4 narrow
      // the range of the next byte (RFC 3629 section 4).
      if (c < 0xc2) return i;
      if (c < 0xe0) need = 1;
      else if (c < 0xf0) {
        need = 2;
        if (c === 0xe0) lo = 0xa0;
        else if (c === 0xed) hi = 0x9f;
      } else if (c < 0xf5) {
        need = 3;
        if (c === 0xf0) lo = 0x90;
        else if (c === 0xf4) hi = 0x8f;
      } else return i;
      i++;
      if (i + need <= end) {
        // The whole code point is here: check it without the loop.
        c = bytes[i]!;
        if (c < lo || c > hi) return i;
        i++;
        if (need > 1) {
          if ((bytes[i]! & 0xc0) !== 0x80) return i;
          i++;
          if (need > 2) {
            if ((bytes[i]! & 0xc0) !== 0x80) return i;
            i++;
          }
        }
        need = 0;
        lo = 0x80;
        hi = 0xbf;
      }
    }
    this.#need = need;
    this.#lo = lo;
    this.#hi = hi;
    return -1;
  }
}

const scratch = new Utf8Validator();

/** Whether `bytes` is complete, valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  scratch.reset();
  const valid = scratch.check(bytes) === -1 && !scratch.pending;
  scratch.reset();
  return valid;
}

const decoder = new TextDecoder();

/**
 * Decodes UTF-8 bytes (for example a text message's `data`, already
 * validated) to a string. Decoding is the slow part of text handling, so
 * messages carry bytes and the application decides when to pay for a string.
 */
export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
