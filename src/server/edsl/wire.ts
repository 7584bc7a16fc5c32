// The bodies EDSL's client sends to /api/v0 (edsl/coop/coop.py), checked at the boundary. Loose: the client adds
// fields between releases and the server reads only these.
import { z } from 'zod';

export const NewRemoteInference = z.looseObject({
  description: z.string().nullable().optional(),
  status: z.literal('queued').optional(),
  iterations: z.int().min(1).max(10_000).nullable().optional(),
  visibility: z.string().nullable().optional(),
  fresh: z.boolean().nullable().optional(),
});

export const Uploaded = z.looseObject({ job_uuid: z.string().min(1).max(200) });

export const UpdateStatus = z.looseObject({
  job_uuid: z.string().min(1).max(200),
  status: z.literal('cancelling', { error: 'status must be "cancelling": the only change a client may ask for is a cancel' }),
});

export const ObjectPull = z.looseObject({ object_uuid: z.string().min(1).max(200) });

export const CostRequest = z.looseObject({
  json_string: z.string().min(1),
  iterations: z.int().min(1).max(10_000).nullable().optional(),
});

/** EDSL's job statuses, and Fieldwork's for each. */
export const EDSL_STATUS = {
  queued: 'queued',
  running: 'running',
  completed: 'completed',
  partially_failed: 'partial_failed',
  failed: 'failed',
  cancelling: 'cancelling',
  cancelled: 'cancelled',
} as const;
