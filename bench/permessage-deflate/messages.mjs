// The payloads of the permessage-deflate benchmarks: seeded JSON-like text,
// DISTINCT different messages of exactly `size` octets each, cycled so that
// context takeover helps as it does in real traffic, not 100 %.
export const DISTINCT = 64;

/** Seeded JSON-like messages of exactly `size` octets, all different. */
export function messages(size) {
  let state = 0x2545f491 ^ size;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  const pick = (list) => list[Math.floor(random() * list.length)];
  const out = [];
  for (let m = 0; m < DISTINCT; m++) {
    let text = '[';
    while (text.length < size) {
      const item = {
        id: Math.floor(random() * 1e9),
        user: `${pick(words)}.${pick(words)}${Math.floor(random() * 1000)}`,
        active: random() < 0.5,
        score: Math.round(random() * 1e6) / 100,
        tags: Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(words)),
        updated: new Date(1.7e12 + Math.floor(random() * 1e10)).toISOString(),
      };
      text += JSON.stringify(item) + ',';
    }
    out.push(new TextEncoder().encode(text.slice(0, size)));
  }
  return out;
}
