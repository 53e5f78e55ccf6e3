// What an error says to a user: one line, no stack, no internals.

/** A parser's message (yaml's runs on with a picture of the text) cut to its first line, without a trailing colon. */
export function firstLineOf(message: string): string {
  return message.split('\n')[0]!.replace(/:$/, '');
}

/** A one-line description of an error a user can cause: no stack, no internals. */
export function describeError(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    if (code === 'EISDIR') return 'is a directory';
    if (code === 'ENOSPC') return 'no space left on device (ENOSPC)';
    if (code === 'EDQUOT') return 'disk quota exceeded (EDQUOT)';
    if (code === 'EIO') return 'input/output error (EIO)';
    if (code === 'EPIPE') return 'its reader went away (EPIPE)';
    if (code === 'ENOTDIR') return 'not a directory';
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'EADDRINUSE') return 'address already in use';
    if (code === 'ENOTFOUND') return 'host not found';
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return `corrupt gzip data (${String(message)})`;
    if (typeof message === 'string') return message.split('\n')[0]!;
  }
  return String(error);
}
