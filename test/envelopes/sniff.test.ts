import { describe, expect, it } from 'vitest';
import { sniff, sniffLine } from '../../src/envelopes/sniff.js';

const CRI_JSON = '2026-12-01T10:00:00.123456789Z stdout F {"status":401,"hid_error":2001}';
const CRI_TEXT = '2026-12-01T10:00:00.123456789Z stderr F panic: something went wrong';
const RFC5424 = '<134>1 2026-12-01T10:00:00.123Z host app 42 - - {"status":401}';
const RSYSLOG = 'Dec  1 10:00:00 host app[42]: status=401 hid_error=2001';

describe('sniffLine', () => {
  it('names the envelope and what its message holds', () => {
    expect(sniffLine(CRI_JSON)).toEqual({ envelope: 'cri', content: 'json' });
    expect(sniffLine(CRI_TEXT)).toEqual({ envelope: 'cri', content: 'text' });
    expect(sniffLine(RFC5424)).toEqual({ envelope: 'syslog', content: 'json' });
    expect(sniffLine(RSYSLOG)).toEqual({ envelope: 'syslog', content: 'logfmt' });
  });

  it('tells logfmt, JSON values that are not objects and plain text apart', () => {
    expect(sniffLine('level=info status=401 msg="denied"')).toEqual({ envelope: undefined, content: 'logfmt' });
    expect(sniffLine('request failed: {"status":401} retrying')).toEqual({ envelope: undefined, content: 'text-with-json' });
    expect(sniffLine('[1, 2, 3]')).toEqual({ envelope: undefined, content: 'json-value' });
    expect(sniffLine('"a string"')).toEqual({ envelope: undefined, content: 'json-value' });
    expect(sniffLine('Started the server on port 8080')).toEqual({ envelope: undefined, content: 'text' });
    expect(sniffLine('{"status": 401')).toEqual({ envelope: undefined, content: 'text' });
  });
});

describe('sniff', () => {
  it('takes the shape most lines have, the first seen among equals', () => {
    expect(sniff([CRI_JSON, 'hello', CRI_JSON])).toEqual({ envelope: 'cri', content: 'json' });
    expect(sniff(['hello', CRI_JSON])).toEqual({ envelope: undefined, content: 'text' });
    expect(sniff([])).toBeUndefined();
  });
});
