// What every part of the composition root is built with (app.ts passes it to each as `common`).
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../store/db.ts';

export interface WiringBase {
  config: Config;
  db: Db;
  metrics: Metrics;
  logger: Logger;
}
