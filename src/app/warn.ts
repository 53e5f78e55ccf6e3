/** One line on stderr, after `hidlog: `: what a run says of itself while it goes on. */
export const warn = (message: string) => process.stderr.write(`hidlog: ${message}\n`);
