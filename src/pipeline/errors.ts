export interface LineLocation {
  input: string;
  line: number;
}

/** Raised under `--strict` at the first bad line; its message is `FILE:LINE: reason`. */
export class StrictStop extends Error {
  constructor(
    readonly location: LineLocation,
    readonly reason: string,
  ) {
    super(`${location.input}:${location.line}: ${reason}`);
  }
}
