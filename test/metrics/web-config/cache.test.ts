import { describe, expect, it } from 'vitest';
import { BcryptCache } from '../../../src/metrics/web-config/cache.js';

describe('BcryptCache', () => {
  it('keys on the user, the hash and the password together, without holding the password', () => {
    const cache = new BcryptCache();
    const key = cache.key('prometheus', '$2y$10$hash', 'secret');
    expect(cache.key('prometheus', '$2y$10$hash', 'secret')).toBe(key);
    expect(
      new Set([
        key,
        cache.key('prometheus', '$2y$10$hash', 'secret2'),
        cache.key('prometheus', '$2y$10$other', 'secret'),
        cache.key('grafana', '$2y$10$hash', 'secret'),
      ]).size,
    ).toBe(4);
    // The parts cannot be shifted into one another: ("a:b", "c") is not ("a", "b:c").
    expect(cache.key('a', 'b', 'c:d')).not.toBe(cache.key('a', 'b:c', 'd'));
    expect(key).not.toContain('secret');
    expect(new BcryptCache().key('prometheus', '$2y$10$hash', 'secret')).not.toBe(key);
  });

  it('remembers both verdicts, each kept apart with its own room; the least recently used of its kind makes room', () => {
    const cache = new BcryptCache(2);
    cache.set('a', true);
    cache.set('b', false);
    cache.set('c', true);
    expect(cache.get('a')).toBe(true);
    cache.set('d', true);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([true, false, undefined, true]);
    expect(cache.size).toBe(3);
  });

  it('a flood of mismatches never pushes out a match', () => {
    const cache = new BcryptCache(3);
    cache.set('scraper', true);
    for (let i = 0; i < 1000; i++) cache.set(`guess${i}`, false);
    expect(cache.get('scraper')).toBe(true);
    expect([cache.get('guess999'), cache.get('guess996')]).toEqual([false, undefined]);
    expect(cache.size).toBe(4);
  });

  it('a new verdict for a key replaces the old one', () => {
    const cache = new BcryptCache(3);
    cache.set('a', false);
    cache.set('a', true);
    expect([cache.get('a'), cache.size]).toEqual([true, 1]);
  });
});
