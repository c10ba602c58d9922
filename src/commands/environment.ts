// The optional environment after a subcommand (`/caracal status staging`, `/caracal recover prod-eu Redis down`):
// the first word when it names a configured environment, otherwise the channel's default.
import { channelEnvironment, environmentNames, type Config } from '../config.ts';

export interface EnvironmentChoice {
  environment: string;
  /** The arguments after the environment (all of them when none was named). */
  rest: string;
  named: boolean;
}

export type EnvironmentPicker = (channelId: string, args: string) => EnvironmentChoice;

export function environmentPicker(config: Pick<Config, 'environments' | 'defaultEnvironment'>): EnvironmentPicker {
  const names = new Set(environmentNames(config));
  return (channelId, args) => {
    const match = /^(\S+)\s*([\s\S]*)$/.exec(args.trim());
    // Exact (names are lower case): a title may start with a capitalised word that happens to be a name.
    const first = match?.[1];
    if (first && names.has(first)) return { environment: first, rest: (match?.[2] ?? '').trim(), named: true };
    return { environment: channelEnvironment(config, channelId), rest: args.trim(), named: false };
  };
}
