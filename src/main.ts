// `npm start`: the newcomer's command. With Slack credentials it runs the bot (`caracal-chatops serve`); with none
// at all it opens the local sandbox (`caracal-chatops sandbox`) and says so. Partial credentials are an error that
// names what is missing. Neither path's code is loaded until chosen: production never imports the simulator.
import { cli } from './cli/dispatch.ts';

const env = process.env;
const slackVariables = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'];
const noSlackAtAll = slackVariables.every((v) => !env[v] && !env[`${v}_FILE`]);

process.exitCode = await cli([noSlackAtAll ? 'sandbox' : 'serve', ...process.argv.slice(2)], {
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  env,
});
