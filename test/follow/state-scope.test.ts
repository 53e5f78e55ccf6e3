import { describe, expect, it } from 'vitest';
import type { FilePosition, SavedState } from '../../src/follow/checkpointer.js';
import { scopeOf } from '../../src/follow/state-scope.js';

const at = (path: string): FilePosition => ({ path, fingerprint: 'a'.repeat(64), fingerprintBytes: 100, offset: 10 });
const state = (patterns: string[] | undefined, paths: string[]): SavedState => ({ patterns, files: paths.map(at), outputs: [] });

describe('scopeOf: what of a state file belongs to the patterns followed', () => {
  it('keeps the positions of files the patterns name, and says once how many others there are', () => {
    const said: string[] = [];
    const scope = scopeOf(state(['/b/*.log'], ['/a/app.log', '/b/x.log', '/b/y.log']), ['/a/app.log*'], '/s.json', (message) => said.push(message));
    expect(scope.positions).toEqual([at('/a/app.log')]);
    expect(said).toEqual(['state file /s.json holds positions in 2 files no pattern names (/b/x.log, …): not read']);
  });

  it('knows a pattern the state lists, one that names a saved file, and one that names a listed pattern', () => {
    const saved = state(['/a/app.log', '/c/*.log'], ['/d/d.log']);
    const scope = scopeOf(saved, ['/a/app.log', '/a/app.log*', '/c/*.log', '/d/*.log', '/e/new.log'], '/s.json', () => undefined);
    expect(scope.known).toEqual(['/a/app.log', '/a/app.log*', '/c/*.log', '/d/*.log']);
  });

  it('a version 1 or 2 state (no patterns) knows the patterns that name its files, or every one if it has none', () => {
    const quiet = () => undefined;
    expect(scopeOf(state(undefined, ['/a/app.log']), ['/a/app.log', '/e/*.log'], '/s.json', quiet).known).toEqual(['/a/app.log']);
    expect(scopeOf(state(undefined, []), ['/a/app.log', '/e/*.log'], '/s.json', quiet).known).toEqual(['/a/app.log', '/e/*.log']);
  });

  it('no state file: nothing known, nothing said', () => {
    expect(scopeOf(undefined, ['/a/app.log'], '/s.json', (message) => expect.fail(message))).toEqual({ positions: [], known: [] });
  });
});
