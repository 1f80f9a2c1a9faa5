/**
 * Where strict JSON text goes wrong. JSON.parse only sometimes says "at position N"
 * (V8 leaves it out of "Unexpected token" messages), so a small scanner of the JSON
 * grammar (RFC 8259) finds the first offending character; it runs only after
 * JSON.parse has already failed.
 */
class Stop {
  constructor(readonly offset: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// RFC 8259 string: no control characters; escapes \" \\ \/ \b \f \n \r \t \uXXXX.
const STRING_CHUNK =
  /(?:[\u0020\u0021\u0023-\u005b\u005d-\uffff]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;

function scan(text: string): void {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const expect = (char: string) => {
    if (text[i] !== char) throw new Stop(i);
    i++;
  };
  const string = () => {
    expect('"');
    STRING_CHUNK.lastIndex = i;
    STRING_CHUNK.exec(text);
    i = STRING_CHUNK.lastIndex;
    expect('"');
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        expect(":");
        value();
        ws();
        if (text[i] !== ",") break;
        i++;
      }
      expect("}");
      return;
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] !== ",") break;
        i++;
      }
      expect("]");
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
  value();
  ws();
  if (i < text.length) throw new Stop(i);
}

/** The offset of the first character that breaks strict JSON (the text's length when it ends too soon). */
export function jsonErrorOffset(text: string): number {
  try {
    scan(text);
  } catch (stop) {
    if (stop instanceof Stop) return Math.min(stop.offset, text.length);
    throw stop;
  }
  return text.length;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}
