// Syslog lines: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [BOM]MSG`), RFC 3164
// (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`), and rsyslog's file formats, which drop `<PRI>`:
// the traditional one (an RFC 3164 time) and RSYSLOG_FileFormat (an RFC 3339 time).

export interface SyslogLine {
  /** The time as a text `parseTime` reads: RFC 3339, or for RFC 3164 `YYYY-MM-DDThh:mm:ss` (the year supplied). */
  time: string | undefined;
  /** Where the message part starts in the line's bytes (past a BOM). */
  message: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TIME = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) /;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) /;
const TAG = /^(?:[^\s:[\]]{1,48}\[[^\]\s]{0,32}\]:?|[^\s:[\]]{1,48}:) ?/;
const PRI = /^<(\d{1,3})>/;
const UTF8_BOM = '\ufeff';

/**
 * An RFC 3164 time has no year: the one that puts it nearest before `now` (a log read on
 * 2 January holds lines of 31 December), as rsyslog and syslog-ng assume.
 */
function bsdTime(match: RegExpExecArray, now: Date): string | undefined {
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return undefined;
  const day = Number(match[2]!.trim());
  let year = now.getUTCFullYear();
  if (Date.UTC(year, month, day) > now.getTime() + 86_400_000) year--;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${year}-${pad(month + 1)}-${pad(day)}T${match[3]}:${match[4]}:${match[5]}`;
}

/** Skips one space-delimited field; -1 if the text ends first. */
function fieldEnd(text: string, at: number): number {
  const space = text.indexOf(' ', at);
  return space < 0 ? -1 : space + 1;
}

/** RFC 5424's STRUCTURED-DATA: `-` or `[id k="v" …]…` (`\]`, `\"`, `\\` escaped in values). */
function structuredDataEnd(text: string, at: number): number {
  if (text[at] === '-') return at + 1;
  let i = at;
  while (text[i] === '[') {
    let inValue = false;
    for (i++; i < text.length; i++) {
      const c = text[i];
      if (c === '\\' && inValue) i++;
      else if (c === '"') inValue = !inValue;
      else if (c === ']' && !inValue) break;
    }
    if (i >= text.length) return -1;
    i++;
  }
  return i === at ? -1 : i;
}

function rfc5424(text: string, at: number): { time: string | undefined; message: number } | undefined {
  let i = at;
  const timeEnd = fieldEnd(text, i);
  if (timeEnd < 0) return undefined;
  const time = text.slice(i, timeEnd - 1);
  i = timeEnd;
  for (let field = 0; field < 4; field++) if ((i = fieldEnd(text, i)) < 0) return undefined; // HOST APP PROCID MSGID
  i = structuredDataEnd(text, i);
  if (i < 0) return undefined;
  if (text[i] === ' ') i++;
  if (text.startsWith(UTF8_BOM, i)) i += UTF8_BOM.length;
  return { time: time === '-' ? undefined : time, message: i };
}

/** After an RFC 3164 time: `HOST TAG[PID]: MSG`; a line without a tag has its message after the host. */
function afterBsdHeader(text: string, at: number): number {
  const hostEnd = fieldEnd(text, at);
  if (hostEnd < 0) return text.length;
  const tag = TAG.exec(text.slice(hostEnd, hostEnd + 96));
  return tag ? hostEnd + tag[0].length : hostEnd;
}

/**
 * The syslog header of a line, or undefined when it has none. `text` is the line decoded; the
 * message's start is a character index in it.
 */
export function readSyslogLine(text: string, now: Date = new Date()): SyslogLine | undefined {
  let at = 0;
  const pri = PRI.exec(text);
  if (pri) {
    if (Number(pri[1]) > 191) return undefined;
    at = pri[0].length;
    if (text.startsWith('1 ', at)) return rfc5424(text, at + 2);
  }
  const rest = text.slice(at, at + 40);
  const bsd = BSD_TIME.exec(rest);
  if (bsd) return { time: bsdTime(bsd, now), message: afterBsdHeader(text, at + bsd[0].length) };
  const iso = ISO_TIME.exec(rest);
  if (iso) return { time: iso[0].trimEnd(), message: afterBsdHeader(text, at + iso[0].length) };
  return undefined;
}
