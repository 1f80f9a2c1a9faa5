/**
 * What JSON.parse does not say about a policy file. It only sometimes gives the position
 * of a syntax error (V8 leaves it out of "Unexpected token" messages), and it silently
 * keeps the last of two equal keys (a second "production" profile would replace the
 * first). A small scanner of the JSON grammar (RFC 8259) finds both; it runs once per
 * load, never per request.
 */
class Stop {
  constructor(
    readonly offset: number,
    readonly reason?: string,
  ) {}
}

/** Far deeper than any policy; keeps a hostile file from exhausting the stack. */
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const SIMPLE_ESCAPES = '"\\/bfnrt';

export interface DuplicateKey {
  /** Path of the repeated key (the object's path plus the key). */
  readonly path: readonly (string | number)[];
  /** Offset of its second (or later) occurrence. */
  readonly offset: number;
}

export interface JsonScan {
  /** Offset of the first character that breaks strict JSON (the length when the text ends too soon), or null. */
  readonly errorOffset: number | null;
  /** Set when the scanner, not the grammar, stopped (nesting too deep). */
  readonly errorReason?: string;
  readonly duplicates: readonly DuplicateKey[];
}

export function scanJson(text: string): JsonScan {
  let i = 0;
  const path: (string | number)[] = [];
  const duplicates: DuplicateKey[] = [];
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const expect = (char: string) => {
    if (text[i] !== char) throw new Stop(i);
    i++;
  };
  const string = (): string => {
    const start = i;
    expect('"');
    // RFC 8259 string: no control characters; escapes \" \\ \/ \b \f \n \r \t \uXXXX.
    // A loop, not one regular expression: V8 recurses per repetition of an alternation,
    // and a string of a few million characters overflowed the stack.
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x22 || !(c >= 0x20)) break; // the closing quote, a control character or the end
      if (c !== 0x5c) {
        i++;
        continue;
      }
      const escaped = text[i + 1];
      if (escaped === "u") {
        HEX4.lastIndex = i + 2;
        if (!HEX4.test(text)) break;
        i += 6;
      } else if (escaped !== undefined && SIMPLE_ESCAPES.includes(escaped)) i += 2;
      else break;
    }
    expect('"');
    return JSON.parse(text.slice(start, i)) as string;
  };
  /** A bracket's comma-separated items, up to `close`; `item` reads the one at `index`. */
  const items = (close: string, item: (index: number) => void) => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (let index = 0; ; index++) {
      item(index);
      ws();
      if (text[i] !== ",") break;
      i++;
    }
    expect(close);
  };
  const value = (): void => {
    if (path.length > MAX_DEPTH) throw new Stop(i, `nested deeper than ${MAX_DEPTH} levels`);
    ws();
    const c = text[i];
    if (c === "{") {
      const seen = new Set<string>();
      items("}", () => {
        ws();
        const at = i;
        const key = string();
        if (seen.has(key)) duplicates.push({ path: [...path, key], offset: at });
        seen.add(key);
        ws();
        expect(":");
        path.push(key);
        value();
        path.pop();
      });
      return;
    }
    if (c === "[") {
      items("]", (index) => {
        path.push(index);
        value();
        path.pop();
      });
      return;
    }
    if (c === '"') {
      string();
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) throw new Stop(i);
    i = NUMBER.lastIndex;
  };
  try {
    value();
    ws();
    if (i < text.length) throw new Stop(i);
  } catch (stop) {
    if (!(stop instanceof Stop)) throw stop;
    const errorOffset = Math.min(stop.offset, text.length);
    return stop.reason === undefined
      ? { errorOffset, duplicates }
      : { errorOffset, errorReason: stop.reason, duplicates };
  }
  return { errorOffset: null, duplicates };
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
