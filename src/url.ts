// The one way the bot joins a configured base URL and a path, so `http://api:8080/` and `http://api:8080` name the
// same endpoint (bases come from config and Slack as written, with or without a trailing slash).

/** `joinUrl('http://api:8080/', '/ready?x=1')` is `http://api:8080/ready?x=1`; `path` starts with `/`. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}
