// The options of annotate (and --follow) and count, from argv.
import type { InferredOptionTypes } from 'yargs';
import type { AnnotateOptions } from '../app/annotate-setup.js';
import type { CountOptions } from '../app/count.js';
import type { FollowOptions } from '../app/follow.js';
import type { MetricsOptions } from '../app/metrics-session.js';
import { KUBERNETES_LABELS, type KubernetesLabel } from '../metrics/kubernetes-labels.js';
import { parseListenAddress } from '../metrics/listen-address.js';
import type { RecordLabel } from '../count/tally.js';
import { inputOptions, strings, type InputArgv } from './input-argv.js';
import { checkLabelName } from './label-names.js';
import { UsageError, type ANNOTATE_OPTIONS, type CATALOG_OPTIONS, type FOLLOW_OPTIONS, type METRICS_OPTIONS, type SERVE_OPTIONS } from './options.js';

type MetricsArgv = InferredOptionTypes<typeof METRICS_OPTIONS>;
type CatalogArgv = InferredOptionTypes<typeof CATALOG_OPTIONS>;
export type AnnotateArgv = InputArgv & MetricsArgv & CatalogArgv & InferredOptionTypes<typeof ANNOTATE_OPTIONS & typeof SERVE_OPTIONS & typeof FOLLOW_OPTIONS>;
export type CountArgv = InputArgv & MetricsArgv & CatalogArgv;

function validateKey(key: string): string {
  if (key === '' || key === '__proto__') throw new UsageError(`--key ${JSON.stringify(key)}: not a usable key name`);
  return key;
}

/**
 * `--kubernetes-labels namespace,pod` into its label names, each once, checked against the
 * `--label` names (`labels`) the counters already have.
 */
function parseKubernetesLabels(spec: string | undefined, labels: readonly { name: string }[]): KubernetesLabel[] {
  if (spec === undefined) return [];
  const names = spec.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(KUBERNETES_LABELS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new UsageError(`--kubernetes-labels ${spec}: ${JSON.stringify(unknown)} is not one of ${KUBERNETES_LABELS.join(', ')}`);
  const taken = names.find((name) => labels.some((label) => label.name === name));
  if (taken !== undefined) throw new UsageError(`--kubernetes-labels ${spec}: ${taken} is also a --label`);
  return [...new Set(names as KubernetesLabel[])];
}

/**
 * `--label tenant=ctx.tenant` into validated label names, each with its paths in the order given
 * (a name repeated is one label read from the first of its paths a record has), in the order the
 * names first appear.
 */
function parseLabels(specs: readonly string[]): RecordLabel[] {
  const labels = new Map<string, string[][]>();
  for (const spec of specs) {
    const match = /^([^=]+)=(.+)$/.exec(spec);
    const name = match?.[1] ?? '';
    const path = match?.[2]!.split('.') ?? [];
    if (!match || path.some((key) => key === '')) throw new UsageError(`--label ${spec}: expected NAME=DOT.PATH`);
    checkLabelName(spec, name);
    const paths = labels.get(name);
    if (paths) paths.push(path);
    else labels.set(name, [path]);
  }
  return [...labels].map(([name, paths]) => ({ name, paths }));
}

function metricsOptions(argv: MetricsArgv & Partial<InferredOptionTypes<typeof SERVE_OPTIONS>>): MetricsOptions {
  const listen = argv['metrics-listen'];
  if (argv['web-config'] !== undefined && listen === undefined) throw new UsageError('--web-config applies with --metrics-listen');
  const labels = parseLabels(strings(argv.label));
  const kubernetesLabels = parseKubernetesLabels(argv['kubernetes-labels'], labels);
  const pushgateway = argv.pushgateway;
  if (pushgateway !== undefined && !/^https?:\/\/[^/]+/.test(pushgateway))
    throw new UsageError(`--pushgateway ${pushgateway}: expected an http:// or https:// URL`);
  const address = listen === undefined ? undefined : parseListenAddress(listen);
  if (listen !== undefined && !address) throw new UsageError(`--metrics-listen ${listen}: expected HOST:PORT, [IPv6]:PORT or :PORT`);
  return {
    labels,
    kubernetesLabels,
    maxUnknownCodes: argv['max-unknown-codes'],
    maxLabelValues: argv['max-label-values'],
    maxSeries: argv['max-series'],
    zeroSeries: argv['zero-series'],
    textfile: argv.textfile,
    pushgateway,
    job: argv.job,
    metricsListen: listen === undefined || !address ? undefined : { given: listen, address },
    linger: argv.linger,
    webConfig: argv['web-config'],
  };
}

export function annotateOptions(argv: AnnotateArgv): AnnotateOptions & { follow?: FollowOptions } {
  const key = validateKey(argv.key);
  const options: AnnotateOptions = {
    ...inputOptions(argv),
    ...metricsOptions(argv),
    output: argv.output,
    format: argv.format,
    key,
    deadLetter: argv['dead-letter'],
    catalog: argv.catalog,
  };
  if (!argv.follow) {
    if (argv['state-file'] !== undefined) throw new UsageError('--state-file applies with --follow');
    return options;
  }
  if (options.files.length === 0) throw new UsageError('--follow needs at least one file or quoted glob to follow');
  if (options.files.includes('-')) throw new UsageError('--follow follows files, not stdin');
  if (options.workers !== 1) throw new UsageError('--workers applies to batch inputs, not to --follow');
  return { ...options, follow: { stateFile: argv['state-file'], startAt: argv['start-at'], pollInterval: argv['poll-interval'], watch: argv.watch } };
}

export function countOptions(argv: CountArgv): CountOptions {
  return { ...inputOptions(argv), ...metricsOptions(argv), catalog: argv.catalog };
}
