export interface CorpusTruth {
  lines: number;
  results: Record<'annotated' | 'no_codes' | 'invalid' | 'too_long', number>;
  codes: Record<'http' | 'error' | 'failure' | 'response', Record<string, number>>;
}

export function writeCorpus(options: { lines: number; path: string; catalog: readonly { kind: string; code: number }[] }): Promise<CorpusTruth>;

export interface WrappedCopy {
  lines: number;
  partials: number;
  results: CorpusTruth['results'];
}

export function wrapCorpus(options: {
  source: string;
  cri: string;
  docker: string;
  truth: Pick<CorpusTruth, 'results'>;
}): Promise<Record<'cri' | 'docker', WrappedCopy>>;
