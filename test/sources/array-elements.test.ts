import { describe, expect, it } from 'vitest';
import { ArrayElementEnds } from '../../src/sources/array-elements.js';

/** The text cut at every end the tracker finds, reading it in pieces of `size`. */
function cutInPieces(text: string, size: number): string[] {
  const ends = new ArrayElementEnds();
  const cuts: number[] = [];
  for (let at = 0; at < text.length; at += size) for (const end of ends.in(text.slice(at, at + size))) cuts.push(at + end);
  return [0, ...cuts].map((from, i) => text.slice(from, cuts[i] ?? text.length)).filter((piece) => piece !== '');
}

describe('ArrayElementEnds', () => {
  it('ends each element past its closing bracket or quote, and past each comma between elements', () => {
    expect(cutInPieces('[{"a":1}, [2,3] ,"x",4,true]', 1000)).toEqual(['[{"a":1}', ',', ' [2,3]', ' ,', '"x"', ',', '4,', 'true]']);
  });

  it('sees no structure inside strings, escaped quotes and backslashes included', () => {
    const text = '[{"s":"},{\\"]\\\\"},"a\\"],b",{"t":"[[["}]';
    expect(cutInPieces(text, 1000)).toEqual(['[{"s":"},{\\"]\\\\"}', ',', '"a\\"],b"', ',', '{"t":"[[["}', ']']);
  });

  it('finds the same ends whatever the pieces the text comes in', () => {
    const text = ' [ {"a":[1,{"b":"x,y}"}]} , "q\\\\" ,\n-1.5e3 , null, {"é":"ü"} ] ';
    const whole = cutInPieces(text, text.length);
    for (const size of [1, 2, 3, 7]) expect(cutInPieces(text, size)).toEqual(whole);
    expect(whole.join('')).toBe(text);
  });
});
