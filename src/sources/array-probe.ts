import type { Token, TokenSource } from 'stream-json/core/parser.js';
import { isObject } from '../common/json.js';
import { ArrayElementEnds } from './array-elements.js';

const COMMA = 44;

export type InputFormat = 'ndjson' | 'json-array';

/**
 * Decides whether an input that starts with `[` is a JSON-array document, from its first bytes
 * (docs/inputs.md states the rule):
 *
 *  - Its first line is a whole JSON value (`JSON.parse` reads it): a JSON array when it is an
 *    array of objects and nothing but whitespace follows it; otherwise NDJSON (`["a"]` followed by
 *    more lines is a `not_object` line and the lines after it).
 *  - Its first line is not: stream-json's tokenizer, the parser the array path reads with, reads
 *    it. A syntax error: NDJSON (a text banner such as `[2026-11-28 10:00:00,123] INFO …` fails at
 *    its sixth character). The line ends inside the array (a pretty-printed array): a JSON array as
 *    soon as the tokenizer has read the first element and the comma after it; a syntax error
 *    before that is NDJSON (a `[` line followed by NDJSON records fails at the second record). The
 *    input ends inside the line: an array broken off, read as one when its elements are objects.
 *
 * `JSON.parse` reads a one-line array at many times the tokenizer's speed, which the array path
 * then reads again; the tokenizer reads only the lines that are not whole values.
 */
export class ArrayProbe {
  /** The first line's text while it is being read; undefined once it has been. */
  private firstLine: string | undefined = '';
  /** The first line was a whole array; what follows is read only to see that it is whitespace. */
  private wholeArray: { ofObjects: boolean } | undefined;
  /** The first line ended inside the array. */
  private multiLine = false;
  private depth = 0;
  private elementEnded = false;
  /** The first element has ended and the comma after it has been read. */
  private separated = false;
  private allObjects = true;
  private verdict: InputFormat | undefined;
  private readonly elementEnds = new ArrayElementEnds();

  constructor(private readonly tokenize: TokenSource) {}

  /** Reads the next piece of the input's text; the verdict once it is settled. */
  read(text: string): InputFormat | undefined {
    if (this.verdict !== undefined) return this.verdict;
    if (this.firstLine === undefined) {
      this.readAfterFirstLine(text);
      return this.verdict;
    }
    const newline = endOfFirstLine(this.firstLine, text);
    if (newline === -1) {
      this.firstLine += text;
      return undefined;
    }
    const line = this.firstLine + text.slice(0, newline + 1);
    this.firstLine = undefined;
    this.readFirstLine(line, false);
    if (this.verdict === undefined) this.readAfterFirstLine(text.slice(newline + 1));
    return this.verdict;
  }

  /** The verdict at the end of the input. */
  end(): InputFormat {
    if (this.firstLine !== undefined) {
      const line = this.firstLine;
      this.firstLine = undefined;
      this.readFirstLine(line, true);
    }
    if (this.verdict !== undefined) return this.verdict;
    if (this.wholeArray) return this.wholeArray.ofObjects ? 'json-array' : 'ndjson';
    // Past its first line; or broken off on its only line, with nothing but objects before the break.
    return this.multiLine || this.allObjects ? 'json-array' : 'ndjson';
  }

  /**
   * The verdict when no more may be held back: a first line this long is not a line NDJSON would
   * read, so it is an array if it begins as one of objects; past the first line, an element this
   * long is an array's.
   */
  atLimit(): InputFormat {
    if (this.firstLine !== undefined) {
      this.readPieces(this.firstLine);
      this.firstLine = undefined;
      this.verdict ??= this.depth > 0 && this.allObjects ? 'json-array' : 'ndjson';
    }
    return this.verdict ?? (this.multiLine ? 'json-array' : 'ndjson');
  }

  private readFirstLine(line: string, endsInput: boolean): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.readPieces(line);
      if (this.verdict === undefined && this.depth > 0 && !endsInput) this.multiLine = true;
      if (this.multiLine && this.separated) this.verdict ??= 'json-array';
      return;
    }
    // It starts with `[`, so it is an array.
    this.wholeArray = { ofObjects: (value as unknown[]).every(isObject) };
  }

  private readAfterFirstLine(text: string): void {
    if (this.wholeArray) {
      if (!isBlank(text)) this.verdict = 'ndjson';
      return;
    }
    this.readPieces(text);
  }

  private readPieces(text: string): void {
    // The tokenizer drops every token of a piece it fails in: pieces cut where an element or a
    // comma between elements ends show what was read whole before an error.
    const elementEnds = this.elementEnds.in(text);
    const commas = new Set(elementEnds.filter((end) => text.charCodeAt(end - 1) === COMMA));
    let from = 0;
    for (const to of [...elementEnds, text.length]) {
      if (to === from) continue;
      try {
        const tokens = this.tokenize(text.slice(from, to));
        if (typeof tokens !== 'symbol') for (const token of tokens.values) this.take(token);
      } catch {
        this.verdict = 'ndjson';
        return;
      }
      if (this.elementEnded && commas.has(to)) this.separated = true;
      if (this.multiLine && this.separated) {
        this.verdict = 'json-array';
        return;
      }
      from = to;
    }
  }

  private take(token: Token): void {
    switch (token.name) {
      case 'startArray':
      case 'startObject':
        if (this.depth === 1 && token.name === 'startArray') this.allObjects = false;
        this.depth++;
        break;
      case 'endArray':
      case 'endObject':
        this.depth--;
        if (this.depth === 1) this.elementEnded = true;
        break;
      case 'startString':
      case 'startNumber':
        if (this.depth === 1) this.allObjects = false;
        break;
      case 'endString':
      case 'endNumber':
        if (this.depth === 1) this.elementEnded = true;
        break;
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        if (this.depth === 1) {
          this.allObjects = false;
          this.elementEnded = true;
        }
        break;
      default:
        break;
    }
  }
}

const isBlank = (text: string) => /^[ \t\r\n]*$/.test(text);

/** Where the first line ends in `text`, read after `before` (blank lines before the `[` are not it). */
function endOfFirstLine(before: string, text: string): number {
  let from = 0;
  if (isBlank(before)) {
    const start = text.search(/[^ \t\r\n]/);
    if (start === -1) return -1;
    from = start;
  }
  return text.indexOf('\n', from);
}

/** A probe with stream-json's tokenizer, loaded only when an input starts with `[`. */
export async function createArrayProbe(): Promise<ArrayProbe> {
  const { jsonParser } = await import('stream-json/core/parser.js');
  return new ArrayProbe(jsonParser({ packValues: false }));
}
