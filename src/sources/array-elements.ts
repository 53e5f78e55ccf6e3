const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Where a JSON-array document's top-level elements end, read piece by piece: just past each
 * element's closing bracket or quote, and past each comma between elements (which ends a number
 * or a literal). stream-json's parser drops every token of a piece it fails in, so a parser fed
 * up to these points loses no element that came before an error.
 */
export class ArrayElementEnds {
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Offsets in `text` just past the elements that end in it, given every text before it in order. */
  in(text: string): number[] {
    const ends: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 1) ends.push(i + 1);
        }
      } else if (c === QUOTE) {
        this.inString = true;
      } else if (c === 123 /* { */ || c === 91 /* [ */) {
        this.depth++;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        this.depth--;
        if (this.depth <= 1) ends.push(i + 1);
      } else if (c === 44 /* , */ && this.depth === 1) {
        ends.push(i + 1);
      }
    }
    return ends;
  }
}
