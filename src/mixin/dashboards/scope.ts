import type { CodeKind } from '../../catalog/catalog.js';
import { HIDLOG_METRICS } from '../../contract/metrics.js';
import { setupLabels, type MixinConfig } from '../config.js';
import { CODE_METRICS } from '../../contract/metrics.js';
import { datasourceVariable, queryVariable, type Variable } from './grafana.js';

/** The dashboards' uids: `hidlog-overview`, or `hidlog-NAME-overview` for a named setup. */
export function uidsOf(config: MixinConfig): { overview: string; code: string; health: string } {
  const uid = (board: string) => (config.name === '' ? `hidlog-${board}` : `hidlog-${config.name}-${board}`);
  return { overview: uid('overview'), code: uid('code'), health: uid('health') };
}

/** Every metric that carries the --label labels: hidlog's four code counters. */
const CODE_COUNTERS = `{__name__=~"${Object.values(CODE_METRICS).join('|')}"}`;

/**
 * The label matchers of a dashboard's queries: the mixin's selector and the variables. Every
 * query is filtered by job and instance; those on the code counters also by each --label.
 */
export class Scope {
  private readonly selector: string[];

  constructor(readonly config: MixinConfig) {
    this.selector = config.selector === '' ? [] : [config.selector];
  }

  /** For hidlog's own metrics (and `up`): selector, job, instance. */
  own(...matchers: string[]): string[] {
    return [...this.selector, 'job=~"$job"', 'instance=~"$instance"', ...matchers];
  }

  /**
   * For the recording rules' per-job series: selector and job (they have no instance, nor record
   * labels). The selector picks this setup's series among those of other setups in the same
   * Prometheus: the rules keep the labels it names.
   */
  recorded(...matchers: string[]): string[] {
    return [...this.selector, 'job=~"$job"', ...matchers];
  }

  /** The labels that tell this setup's series from another's (job, and those the selector names). */
  get setupLabels(): string[] {
    return setupLabels(this.config.selector);
  }

  /** For the code counters: as `own`, and each --label. */
  codes(...matchers: string[]): string[] {
    return [...this.own(...matchers), ...this.config.labels.map((label) => `${label}=~"$${label}"`)];
  }

  /** For hid_code_info, the catalog, of one kind (`kind` may be a variable). */
  info(kind: CodeKind | string, ...matchers: string[]): string[] {
    return this.own(`kind="${kind}"`, ...matchers);
  }

  /** datasource, job, instance and one per --label: the variables every hidlog dashboard has. */
  variables(): Variable[] {
    const label = (name: string, query: string, description: string) => queryVariable({ name, label: name, query, description, multi: true, sort: 1 });
    const selector = this.selector.join(', ');
    return [
      datasourceVariable(),
      label('job', `label_values(${HIDLOG_METRICS.buildInfo}${selector ? `{${selector}}` : ''}, job)`, 'The Prometheus jobs that scrape hidlog'),
      label(
        'instance',
        `label_values(${HIDLOG_METRICS.buildInfo}{${[...this.selector, 'job=~"$job"'].join(', ')}}, instance)`,
        'The hidlog processes: one per log source',
      ),
      ...this.config.labels.map((name) =>
        label(
          name,
          `label_values({${[CODE_COUNTERS.slice(1, -1), ...this.own()].join(', ')}}, ${name})`,
          `hidlog's --label ${name}; All also matches records without it`,
        ),
      ),
    ];
  }
}
