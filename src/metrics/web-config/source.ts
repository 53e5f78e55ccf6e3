import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { describeError } from '../../common/error-text.js';
import { filesStamp } from '../../common/file-stamps.js';
import { ReloadOnChange } from '../../common/reload-on-change.js';
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

/**
 * The web configuration in force: loaded at start (where any problem is a WebConfigError), then
 * reloaded when the file or a certificate, key or CA file it names changes. A reload that fails
 * keeps the last good configuration and says so once.
 */
export class WebConfigSource {
  /** The files that are looked at: the configuration, and those the good and the latest configuration name. */
  private watched: string[];
  /** Looks at the files' stamp; settled on that of the files the configuration in force (or the last refused one) was read from. */
  private readonly changes: ReloadOnChange;

  private constructor(
    readonly file: string,
    private loaded: LoadedWebConfig,
    private readonly checker: PasswordChecker,
    private readonly warn: (message: string) => void,
    watched: string[],
    settled: string,
  ) {
    this.watched = watched;
    // A change is taken at the look after the one that saw it (settleMs 0): the files held still for one look.
    this.changes = new ReloadOnChange({ stamp: () => filesStamp(this.watched), reload: (seen) => this.reload(seen), settleMs: 0 }, settled);
  }

  static async open(file: string, warn: (message: string) => void): Promise<WebConfigSource> {
    const path = resolve(file);
    const checker = new PasswordChecker();
    const loaded = await prepare(await readConfig(path), checker);
    const watched = [path, ...filesOf(loaded.config)];
    return new WebConfigSource(path, loaded, checker, warn, watched, await filesStamp(watched));
  }

  get current(): LoadedWebConfig {
    return this.loaded;
  }

  /** Starts looking for changes every CHECK_INTERVAL_MS; `close` stops. */
  watch(): void {
    this.changes.start({ pollMs: CHECK_INTERVAL_MS });
  }

  /** Stops looking for changes, and stops the bcrypt thread. */
  async close(): Promise<void> {
    this.changes.close();
    await this.checker.close();
  }

  /** One look at the files; reloads when they changed and have stayed so since the last look. */
  check(): Promise<void> {
    return this.changes.look();
  }

  /** Reads the configuration again; gives the stamp of the files it now looks at. */
  private async reload(seen: string): Promise<string> {
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
    return same ? seen : await filesStamp(watched);
  }
}
