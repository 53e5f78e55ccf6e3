/** What `--input-format` names: `auto` reads every envelope below, line by line. */
export const INPUT_FORMATS = ['auto', 'ndjson', 'json-array', 'cri', 'docker', 'journald', 'syslog', 'logfmt', 'text'] as const;
export type InputFormatOption = (typeof INPUT_FORMATS)[number];

/** The envelope a line was read from: `json` is a JSON object line (bare, docker, journald, ECS, nginx). */
export type Envelope = 'json' | 'cri' | 'docker' | 'syslog' | 'text';

/** Which envelope readers a line goes through under each `--input-format`. */
export interface EnvelopeReaders {
  cri: boolean;
  docker: boolean;
  syslog: boolean;
  text: boolean;
}

export function readersFor(format: InputFormatOption): EnvelopeReaders {
  switch (format) {
    case 'auto':
      return { cri: true, docker: true, syslog: true, text: true };
    case 'cri':
      return { cri: true, docker: false, syslog: false, text: true };
    case 'docker':
      return { cri: false, docker: true, syslog: false, text: false };
    case 'syslog':
      return { cri: false, docker: false, syslog: true, text: true };
    case 'logfmt':
    case 'text':
      return { cri: false, docker: false, syslog: false, text: true };
    default:
      return { cri: false, docker: false, syslog: false, text: false };
  }
}

/** Whether no envelope is read: each line is a JSON object or not a record, as in plain NDJSON. */
export const readsNoEnvelope = (readers: EnvelopeReaders) => !readers.cri && !readers.docker && !readers.syslog && !readers.text;
