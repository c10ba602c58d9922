// The `caracal` section: where one Caracal deployment's stores and services are, how its pods are found, its
// Resume canary and the deployment settings preflight reads. Each environment has one.
import { z } from 'zod';
import { CARACAL_V1_MIGRATIONS, DISCOVERED_SERVICES, SERVICES, type DiscoveredService, type ServiceName } from './services.ts';

const url = z.url({ protocol: /^https?$/ });
const urlList = z.array(url).default([]);

const port = z.number().int().min(1).max(65535);
const scheme = z.enum(['http', 'https']).default('http');
/**
 * How one service's pods are found. static: the URLs under caracal.services (a Service URL reaches one random pod
 * per request: caracal-ops.md §15.2.1). dns: the A/AAAA records of a headless Service (deploy/kustomize/
 * caracal-namespace). endpointslice: the Kubernetes EndpointSlices of a Service (in-cluster credentials).
 */
const podDiscovery = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('static') }).strict(),
  z.object({ mode: z.literal('dns'), name: z.string().min(1), port, scheme }).strict(),
  z
    .object({ mode: z.literal('endpointslice'), service: z.string().min(1), namespace: z.string().min(1), port: port.optional(), scheme })
    .strict(),
]);
export type PodDiscoveryConfig = z.infer<typeof podDiscovery>;
const discoverySchema = z
  .object({
    ...(Object.fromEntries(DISCOVERED_SERVICES.map((s) => [s, podDiscovery.default({ mode: 'static' })])) as Record<
      DiscoveredService,
      z.ZodDefault<typeof podDiscovery>
    >),
    /** Where the EndpointSlice API is: a kubeconfig file, or a plain URL (kubectl proxy); neither: in-cluster. */
    kubernetes: z
      .object({ kubeconfig: z.string().min(1).optional(), server: z.url({ protocol: /^https?$/ }).optional() })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** One canary request through the Gateway; headers are not secret (the mandate is CARACAL_CANARY_BEARER). */
const canaryRequest = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']).default('GET'),
    path: z.string().regex(/^\//, 'must start with /'),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
    expectStatus: z.number().int().min(100).max(599),
  })
  .strict()
  .refine(
    (r) => !Object.keys(r.headers).some((h) => h.toLowerCase() === 'authorization'),
    'no Authorization header here: the mandate comes from CARACAL_CANARY_BEARER',
  );
/** The Resume canary (caracal-ops.md §12 "Resume traffic"): an allow and a deny through the Gateway, found in Audit. */
const canarySchema = z
  .object({
    zoneId: z.string().min(1),
    allow: canaryRequest,
    deny: canaryRequest,
    lookupTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();
export type CanaryConfig = z.infer<typeof canarySchema>;

export const caracalSchema = z
  .object({
    postgres: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
          .optional(),
        statementTimeoutMs: z.number().int().positive().default(2000),
        ssl: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\//, 'must be a redis:// URL')
          .optional(),
        /**
         * Caracal requires appendonly yes (caracal-ops.md §3.1). false only where losing stream entries on a
         * Redis restart is accepted: the local sandbox, a throwaway dev stack. The evidence still shows it.
         */
        requireAppendonly: z.boolean().default(true),
        /** CA bundle for a rediss:// URL (default: the system's CAs). */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    services: z
      .object(Object.fromEntries(SERVICES.map((s) => [s, urlList])) as Record<ServiceName, typeof urlList>)
      .strict()
      .prefault({}),
    discovery: discoverySchema,
    canary: canarySchema.optional(),
    zones: z.array(z.string().min(1)).default([]),
    policySets: z.array(z.object({ zoneId: z.string().min(1), policySetId: z.string().min(1) }).strict()).default([]),
    expectedMigrations: z.array(z.string().regex(/^\d{4}_[A-Za-z0-9_]+$/)).default(CARACAL_V1_MIGRATIONS),
    /** The deployment's own settings, where the bot can see them (deployment.settings, tls.certificates). */
    preflight: z
      .object({
        envFile: z.string().min(1).optional(),
        secretDir: z.string().min(1).optional(),
        helmValues: z.string().min(1).optional(),
        /** PEM bundle that signs the services' certificates, when it is not in the system store. */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
