import { spawnSync } from 'node:child_process';
import { startRedisServer } from '/work/main/test/helpers/redis-server.ts';
const redis = await startRedisServer();
const r = spawnSync('npx', ['tsx', process.argv[2]], { stdio: 'inherit', env: { ...process.env, TEST_REDIS_URL: redis.url } });
await redis.stop();
process.exit(r.status ?? 1);
