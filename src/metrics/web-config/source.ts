import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describeError } from '../../common/error-text.js';
import { BasicAuth, PasswordChecker } from './basic-auth.js';
import { WebConfigError, filesOf, parseWebConfig, type WebConfig } from './config.js';
import { loadTls } from './tls.js';
import type { TlsProfile } from './tls-listener.js';

/** A web configuration ready to serve with. */
export interface LoadedWebConfig {
  config: WebConfig;
  tls: TlsProfile | undefined;
  /** Undefined when there are no basic_auth_users. */
  auth: BasicAuth | undefined;
}

// How often the files are looked at. A change is taken once the files have stayed as they are
// for one more look, so a certificate and its key written one after the other are read together.
const CHECK_INTERVAL_MS = 1000;

async function readConfig(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new WebConfigError(`cannot read it: ${describeError(error)}`);
  }
  return parseWebConfig(text, dirname(file));
}

async function prepare(config: WebConfig, checker: PasswordChecker): Promise<LoadedWebConfig> {
  return {
    config,
    tls: config.tls && { settings: config.tls, options: await loadTls(config.tls) },
    auth: config.users.size > 0 ? new BasicAuth(config.users, checker) : undefined,
  };
}

/** Identity and change times of each file, so that an edit, a rename over it or a new symlink target all show. */
async function signature(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (file) => {
      try {
        const s = await stat(file, { bigint: true });
        return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
      } catch (error) {
        return `error ${(error as { code?: string }).code}`;
      }
    }),
  );
  return parts.join('|');
}

/**
 * The web configuration in force: loaded at start (where any problem is a WebConfigError), then
 * reloaded when the file or a certificate, key or CA file it names changes. A reload that fails
 * keeps the last good configuration and says so once.
 */
export class WebConfigSource {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  /** The files that are looked at: the configuration, and those the good and the latest configuration name. */
  private watched: string[];
  /** The signature of the files the configuration in force (or the last refused one) was read from. */
  private settled = '';
  private pending: string | undefined;

  private constructor(
    readonly file: string,
    private loaded: LoadedWebConfig,
    private readonly checker: PasswordChecker,
    private readonly warn: (message: string) => void,
  ) {
    this.watched = [file, ...filesOf(loaded.config)];
  }

  static async open(file: string, warn: (message: string) => void): Promise<WebConfigSource> {
    const path = resolve(file);
    const checker = new PasswordChecker();
    const loaded = await prepare(await readConfig(path), checker);
    const source = new WebConfigSource(path, loaded, checker, warn);
    source.settled = await signature(source.watched);
    return source;
  }

  get current(): LoadedWebConfig {
    return this.loaded;
  }

  /** Starts looking for changes every CHECK_INTERVAL_MS; `close` stops. */
  watch(): void {
    this.timer ??= setInterval(() => void this.check(), CHECK_INTERVAL_MS).unref();
  }

  /** Stops looking for changes, and stops the bcrypt thread. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.checker.close();
  }

  /** One look at the files; reloads when they changed and have stayed so since the last look. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const seen = await signature(this.watched);
      if (seen === this.settled || seen !== this.pending) {
        this.pending = seen === this.settled ? undefined : seen;
        return;
      }
      this.pending = undefined;
      await this.reload(seen);
    } finally {
      this.checking = false;
    }
  }

  private async reload(seen: string): Promise<void> {
    let attempted: string[] = [];
    try {
      const config = await readConfig(this.file);
      attempted = filesOf(config);
      const loaded = await prepare(config, this.checker);
      if ((loaded.tls === undefined) !== (this.loaded.tls === undefined)) throw new WebConfigError('turning TLS on or off needs a restart');
      this.loaded = loaded;
      this.warn(`--web-config ${this.file}: reloaded`);
    } catch (error) {
      const reason = error instanceof WebConfigError ? error.message : describeError(error);
      this.warn(`--web-config ${this.file}: ${reason}; keeping the last good configuration`);
    }
    const watched = [...new Set([this.file, ...filesOf(this.loaded.config), ...attempted])];
    const same = watched.length === this.watched.length && watched.every((file, i) => file === this.watched[i]);
    this.watched = watched;
    this.settled = same ? seen : await signature(watched);
  }
}
