/** The protocol: the one contract every part shares. Import from here. */
export * from './alerts.ts';
export * from './bounds.ts';
export * from './catalogue.ts';
export * from './findings.ts';
export * from './fleet.ts';
export * from './fleet-changed.ts';
export * from './influx.ts';
export * from './json-scan.ts';
export * from './messages.ts';
export * from './service-validate.ts';
export * from './socket.ts';
export * from './topics.ts';
export * from './validate.ts';
