// No secret leaves: after the soak, neither any request body the bot sent to Slack (Web API arguments, response_url
// answers, answers in acks) nor any line any replica logged holds the bot token or the signing secret. People paste the
// token into notes during the soak (users.ts), so the scan is not vacuous.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOAK_SECRET, SOAK_TOKEN } from './workspace.ts';

const SECRETS = [SOAK_TOKEN, SOAK_SECRET];

export function findSecrets(slackBodies: readonly string[], logDir: string): string[] {
  const problems: string[] = [];
  for (const [i, body] of slackBodies.entries()) {
    for (const s of SECRETS)
      if (body.includes(s)) problems.push(`Slack request body ${i} carries a secret (${s.slice(0, 6)}…): ${body.slice(0, 120)}`);
  }
  for (const file of readdirSync(logDir).filter((f) => f.endsWith('.log'))) {
    for (const [n, line] of readFileSync(join(logDir, file), 'utf8').split('\n').entries()) {
      for (const s of SECRETS) if (line.includes(s)) problems.push(`${file}:${n + 1} logs a secret (${s.slice(0, 6)}…)`);
    }
  }
  return problems;
}
