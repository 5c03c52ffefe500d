/**
 * An InfluxQL (InfluxDB 1.x) target for the foundation SDK's panel builders. The SDK
 * (0.0.21) ships query builders for Prometheus, Loki and others but none for InfluxDB, so
 * this is the one cog.Builder we write ourselves: a raw InfluxQL query, as Grafana's
 * InfluxDB datasource stores it with the query editor in raw mode.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export interface InfluxDataquery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
}

export class InfluxQuery implements cog.Builder<cog.Dataquery> {
  readonly #query: Omit<InfluxDataquery, '_implementsDataqueryVariant'>;

  constructor(refId: string, datasource: DataSourceRef, query: string) {
    this.#query = { refId, datasource, query, rawQuery: true, resultFormat: 'time_series' };
  }

  alias(alias: string): this {
    this.#query.alias = alias;
    return this;
  }

  table(): this {
    this.#query.resultFormat = 'table';
    return this;
  }

  build(): InfluxDataquery {
    return { ...this.#query, _implementsDataqueryVariant() {} };
  }
}
