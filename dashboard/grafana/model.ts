/**
 * The part of Grafana's dashboard JSON model (schemaVersion 39) these dashboards use, as
 * plain typed objects: @grafana/grafana-foundation-sdk is not installed (see README), and
 * these types keep the generator honest until the lead decides whether to add it.
 */
export interface DatasourceRef {
  type: 'influxdb' | 'prometheus';
  uid: string;
}

export interface InfluxTarget {
  refId: string;
  datasource: DatasourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
}

export interface PromTarget {
  refId: string;
  datasource: DatasourceRef;
  expr: string;
  legendFormat?: string;
}

export type Target = InfluxTarget | PromTarget;

export interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'table' | 'state-timeline';
  title: string;
  description?: string;
  datasource: DatasourceRef;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
  fieldConfig: { defaults: { unit?: string; decimals?: number; custom?: Record<string, unknown> }; overrides: [] };
  options: Record<string, unknown>;
}

export interface QueryVariable {
  type: 'query';
  name: string;
  label: string;
  datasource: DatasourceRef;
  query: string;
  refresh: 1 | 2;
  multi: boolean;
  includeAll: boolean;
  current: Record<string, never>;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: 'browser';
  schemaVersion: 39;
  version: 1;
  editable: boolean;
  refresh: string;
  time: { from: string; to: string };
  templating: { list: QueryVariable[] };
  annotations: { list: [] };
  panels: Panel[];
}
