/**
 * Where an alert stands for someone following it from elsewhere (a resident report linked to
 * it): its state, with "到场" (someone on site) as its own step between acknowledged and
 * resolved, as the duty officer moves it. No schema library here: the console bundles it.
 */
export const ALERT_STEPS = ['open', 'acknowledged', 'arrived', 'resolved'] as const;
export type AlertStep = (typeof ALERT_STEPS)[number];

export function alertStepOf(alert: {
  state: 'open' | 'acknowledged' | 'resolved';
  arrived_at: number | null;
}): AlertStep {
  if (alert.state === 'resolved') return 'resolved';
  return alert.arrived_at !== null ? 'arrived' : alert.state;
}
