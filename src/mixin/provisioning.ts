import { parseSelector, type MixinConfig } from './config.js';

/** Prometheus' scrape interval in these files; Grafana builds $__rate_interval from it. */
export const SCRAPE_INTERVAL = '15s';
export const GRAFANA_DASHBOARDS_PATH = '/var/lib/grafana/dashboards/hidlog';

export interface Provisioned {
  /** What the file is for and where it goes: the file's opening comment. */
  comment: string;
  content: object;
}

export function grafanaDatasource(): Provisioned {
  return {
    comment:
      "Grafana provisioning: the Prometheus data source for hidlog's dashboards.\nCopy to /etc/grafana/provisioning/datasources/ and set url to your Prometheus.",
    content: {
      apiVersion: 1,
      datasources: [
        { name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://localhost:9090', isDefault: true, jsonData: { timeInterval: SCRAPE_INTERVAL } },
      ],
    },
  };
}

/** A named setup's provider, folder and path are its own, beside another setup's. */
export function grafanaDashboardProvider(config: MixinConfig): Provisioned {
  const named = config.name === '' ? 'hidlog' : `hidlog-${config.name}`;
  const path = `${GRAFANA_DASHBOARDS_PATH}${config.name === '' ? '' : `-${config.name}`}`;
  return {
    comment: `Grafana provisioning: hidlog's dashboards, from files.\nCopy to /etc/grafana/provisioning/dashboards/ and the three hidlog-*.json files to ${path}.`,
    content: {
      apiVersion: 1,
      providers: [
        {
          name: named,
          folder: named,
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: false,
          updateIntervalSeconds: 60,
          options: { path, foldersFromFilesStructure: false },
        },
      ],
    },
  };
}

/** A Prometheus configuration that scrapes one hidlog and loads the rules; merge it into yours. */
export function prometheusConfig(config: MixinConfig, rulesFile: string): Provisioned {
  const matchers = parseSelector(config.selector);
  const labels = Object.fromEntries(matchers.filter((m) => m.op === '=' && m.name !== 'job').map((m) => [m.name, JSON.parse(m.quoted) as string]));
  const unmatched = matchers.filter((m) => m.op !== '=').map((m) => `${m.name}${m.op}${m.quoted}`);
  // The scrape job is named for the selector's job="…", or hidlog.
  const job = matchers.find((m) => m.name === 'job' && m.op === '=');
  const target: Record<string, unknown> = { targets: ['localhost:9464'] };
  if (Object.keys(labels).length > 0) target.labels = labels;
  return {
    comment:
      'Prometheus: scrape hidlog (one target per hidlog, at its --metrics-listen address) and load the alerts.\n' +
      'Merge into your prometheus.yml; rule_files is relative to it.' +
      (unmatched.length > 0 ? `\nThe targets must also match ${unmatched.join(', ')}, which a static config cannot set.` : ''),
    content: {
      rule_files: [rulesFile],
      scrape_configs: [{ job_name: job ? (JSON.parse(job.quoted) as string) : 'hidlog', scrape_interval: SCRAPE_INTERVAL, static_configs: [target] }],
    },
  };
}
