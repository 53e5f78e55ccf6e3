/**
 * A run refused before it starts, for what it was given rather than how hidlog was called: a
 * --catalog or --web-config file that cannot be used, partials that do not merge, a category no
 * code has. The command line says it as it says a usage mistake: one line, exit 2.
 */
export class Refusal extends Error {
  /** `hint`: whether pointing at --help helps (not for a file that is wrong inside). */
  constructor(
    message: string,
    readonly hint = true,
  ) {
    super(message);
  }
}
