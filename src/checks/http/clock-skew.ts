// clock.skew: the bot host's clock against each API pod's HTTP Date header, as Caracal's diagnostics measure it
// (packages/engine/src/doctor.ts): JWT iat/nbf/exp, the Gateway-STS HMAC (±60 s) and audit ordering depend on
// clocks agreeing. Date has a resolution of one second, so one second plus the round trip is allowed for.
import { TargetError } from '../../errors.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from './findings.ts';
import { joinUrl } from '../../url.ts';
import { podLabel } from './metrics-json.ts';
import { eachPod } from './per-pod.ts';

const NTP = 'Keep every host NTP-synced (the bot host, the nodes running Caracal): check chronyc tracking or timedatectl on each.';

interface Reading {
  finding: Finding;
  skewMs?: number;
}

async function measure(ctx: CheckContext, base: string, signal: AbortSignal): Promise<Reading> {
  const label = podLabel('api', base);
  const before = ctx.now().getTime();
  let date: string | undefined;
  try {
    date = (await ctx.http.request(joinUrl(base, '/health'), { signal })).header('date');
  } catch (err) {
    if (!(err instanceof TargetError)) throw err;
    return {
      finding: { status: 'warn', line: `${label}: clock skew not measured: ${err.message}`, remedy: 'See services.live for this pod.' },
    };
  }
  const after = ctx.now().getTime();
  const server = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(server)) {
    return {
      finding: {
        status: 'warn',
        line: `${label}: clock skew not measured: ${date === undefined ? 'no Date header' : `unreadable Date header "${date}"`}`,
        remedy: 'Something between the bot and the API strips the Date header; measure the clocks by hand.',
      },
    };
  }
  const roundTrip = after - before;
  const signed = server - (before + roundTrip / 2);
  const skewMs = Math.max(0, Math.abs(signed) - 1000 - roundTrip);
  const { clockSkewWarnSeconds: warnS, clockSkewFailSeconds: failS } = ctx.thresholds;
  const text = `${label}: ~${(skewMs / 1000).toFixed(1)} s (bot clock ${signed > 0 ? 'behind' : 'ahead of'} the API; Date resolution 1 s, round trip ${roundTrip} ms)`;
  if (skewMs >= failS * 1000) {
    return {
      skewMs,
      finding: {
        status: 'fail',
        line: `${text}, limit ${failS} s`,
        remedy: `Clocks differ by more than ${failS} s: tokens are rejected as not yet valid or expired, and Gateway-STS HMAC calls fail (±60 s). ${NTP}`,
      },
    };
  }
  if (skewMs >= warnS * 1000) return { skewMs, finding: { status: 'warn', line: `${text}, warning at ${warnS} s`, remedy: NTP } };
  return { skewMs, finding: { status: 'pass', line: text } };
}

export const clockSkew: CheckDefinition = {
  id: 'clock.skew',
  title: 'Clock skew',
  gates: ['services'],
  reads: 'the Date header of GET /health on every configured API pod, against the bot clock',
  async run(ctx, signal) {
    const fan = await eachPod(ctx, 'api', signal, (pod) => measure(ctx, pod.url, signal));
    if (!fan.ok) return combine([fan.finding], { pass: '', lead: 'Clock skew not measured' });
    const readings = fan.results;
    const measured = readings.flatMap((r) => (r.skewMs === undefined ? [] : [r.skewMs]));
    const worstMs = measured.length > 0 ? Math.max(...measured) : null;
    return combine(
      [...(fan.note ? [fan.note] : []), ...readings.map((r) => r.finding)],
      { pass: `Clocks agree with all ${readings.length} API pods within ${ctx.thresholds.clockSkewWarnSeconds} s.`, lead: 'Clock skew' },
      { 'skew.maxSeconds': worstMs === null ? null : Math.round(worstMs / 100) / 10, 'pods.measured': measured.length },
    );
  },
};
