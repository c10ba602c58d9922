// The one free-port helper, shared with the sandbox (which starts Prometheus and Alertmanager on free ports).
export { freePort } from '../../src/sandbox/free-port.ts';
